import * as Command from "@effect/cli/Command"
import * as HashSet from "effect/HashSet"

/** The groups of the root help, in the order they are printed. */
export const GROUPS = ["messaging", "sessions", "providers", "maintenance", "cloud", "entry"] as const
export type Group = (typeof GROUPS)[number]

const TITLES: Record<Group, string> = {
  messaging: "Messaging",
  sessions: "Sessions",
  providers: "Providers (host CLIs)",
  maintenance: "Maintenance",
  cloud: "Cloud (opt-in, across machines)",
  entry: "Run by host CLIs"
}

/** A subcommand with its help group and the one line shown for it in the root help. */
export interface Listed<C> {
  readonly group: Group
  readonly name: string
  readonly summary: string
  readonly command: C
}

/**
 * Puts a subcommand in a help group. `summary` becomes the command's own description too,
 * so the root help and `<command> --help` say the same thing.
 */
export const listed = <Name extends string, R, E, A>(
  group: Group,
  summary: string,
  command: Command.Command<Name, R, E, A>
): Listed<Command.Command<Name, R, E, A>> => ({
  group,
  name: [...HashSet.values(Command.getNames(command))][0] ?? "",
  summary,
  command: Command.withDescription(command, summary)
})

/** The grouped root help, as plain text (no colours, so it reads the same in a pipe). */
export const rootHelp = (version: string, commands: ReadonlyArray<Listed<unknown>>): string => {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2
  const row = (name: string, summary: string) => `  ${name.padEnd(width)}${summary}`
  const sections: Array<string> = [
    `session-bridge ${version} — let coding-agent sessions on this machine message each other and share files.`,
    "Usage: session-bridge <command> [arguments] [options]"
  ]
  for (const group of GROUPS) {
    const rows = commands.filter((c) => c.group === group).map((c) => row(c.name, c.summary))
    if (rows.length > 0) sections.push([TITLES[group], ...rows].join("\n"))
  }
  sections.push(
    [
      "Options",
      row("--json", "Print JSON instead of text (every command that prints data)"),
      row("--verbose", "Debug logs and full error causes on stderr (anywhere on the line)"),
      row("--help, -h", "Help for a command: session-bridge <command> --help, or session-bridge help <command>"),
      row("--version", "Print the version")
    ].join("\n")
  )
  sections.push(
    [
      "Shell completion: session-bridge completion bash|zsh|fish (see `session-bridge completion --help`).",
      "Exit codes: 0 success, 1 an error (its code is printed), 2 a usage error, 130 interrupted."
    ].join("\n")
  )
  return sections.join("\n\n")
}
