import type { ArgSpec, CommandSpec, FlagSpec } from "./CommandTree.js"

/**
 * Per-command help in the shape of `gh <command> --help`: a one-line description, the usage line with the program
 * name, subcommands, flags with their value and default, and an example. Plain text, never coloured.
 */

const PROGRAM = "session-bridge"

/** Examples shown under `session-bridge <path> --help`, keyed by the command path. */
export const EXAMPLES: Readonly<Record<string, ReadonlyArray<string>>> = {
  "send-message": [
    "session-bridge send-message bob 'Build is green' --body 'Merged #42; you can rebase.'",
    "git diff | session-bridge send-message bob 'Review this' --body-file -",
    "session-bridge send-message '#release' 'Tagging v1.2' --artifact CHANGELOG.md"
  ],
  broadcast: ["session-bridge broadcast 'Deploy freeze until 15:00' --ttl 7200"],
  "tail-inbox": ["session-bridge tail-inbox", "session-bridge tail-inbox --follow --json | jq .subject"],
  read: ["session-bridge read 01JABCDEFGHJKMNPQRSTVWXYZ0", "session-bridge read 01JABC… --no-mark"],
  "mark-read": ["session-bridge mark-read 01JABC… 01JABD…"],
  search: ["session-bridge search 'flaky test' --limit 5"],
  channel: ["session-bridge channel join '#release'", "session-bridge channel history '#release' --limit 10"],
  "channel list": ["session-bridge channel list --json"],
  "channel join": ["session-bridge channel join '#release'"],
  "channel leave": ["session-bridge channel leave '#release'"],
  "channel history": ["session-bridge channel history '#release' --limit 10"],
  "channel post": ["session-bridge channel post '#release' 'RC2 is up' --body 'Please smoke-test.'"],
  artifact: ["session-bridge artifact save 3f2a…c9 -o report.pdf"],
  "artifact save": [
    "session-bridge artifact save 3f2a…c9 -o report.pdf",
    "session-bridge artifact save 3f2a…c9 > out.bin"
  ],
  "list-sessions": ["session-bridge list-sessions --all"],
  select: ['session-bridge send-message "$(session-bridge select)" hello --body hi'],
  ui: ["session-bridge ui --port 8787 --no-open"],
  demo: ["session-bridge demo", "session-bridge demo --cloud"],
  init: ["session-bridge init", "session-bridge init --provider claude-code --dry-run", "session-bridge init --all"],
  uninstall: ["session-bridge uninstall --provider codex", "session-bridge uninstall --all --dry-run"],
  doctor: ["session-bridge doctor"],
  "list-providers": ["session-bridge list-providers --json"],
  plugin: ["session-bridge plugin emit-manifest --out ./plugin"],
  "plugin emit-manifest": ["session-bridge plugin emit-manifest --out ./plugin"],
  inspect: ["session-bridge inspect 01JABC…"],
  gc: ["session-bridge gc --dry-run"],
  purge: ["session-bridge purge --yes"],
  version: ["session-bridge version --json"],
  completion: [
    'eval "$(session-bridge completion bash)"',
    "session-bridge completion fish > ~/.config/fish/completions/session-bridge.fish"
  ],
  help: ["session-bridge help channel post"],
  mcp: ["session-bridge mcp"],
  hook: ["session-bridge hook prompt-submit --provider claude-code < payload.json"],
  daemon: ["session-bridge daemon", "session-bridge daemon 2>> ~/.session-bridge-daemon.log"],
  contact: ["session-bridge contact invite", "session-bridge contact send bob 'Build is green' --label api"],
  "contact invite": ["session-bridge contact invite", "session-bridge contact invite --json | jq -r .code"],
  "contact uninvite": ["session-bridge contact uninvite sb1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X"],
  "cloud token rotate": ["session-bridge cloud token rotate", "session-bridge cloud token rotate --json"],
  "cloud rotate-identity": ["session-bridge cloud rotate-identity"],
  "contact add": ["session-bridge contact add sb1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X"],
  "contact accept": ["session-bridge contact accept bob"],
  "contact revoke": ["session-bridge contact revoke bob"],
  "contact list": ["session-bridge contact list --json"],
  "contact verify": ["session-bridge contact verify bob"],
  "contact sessions": ["session-bridge contact sessions", "session-bridge contact sessions bob --json"],
  "contact send": [
    "session-bridge contact send bob 'Build is green' --body 'Merged; you can rebase.' --label api",
    "git diff | session-bridge contact send bob 'Review this' --body-file -"
  ]
}

const argText = (a: ArgSpec) => {
  const base = `<${a.name}>${a.repeated ? "..." : ""}`
  return a.required ? base : `[${base}]`
}

const placeholder = (f: FlagSpec) =>
  f.value === undefined
    ? ""
    : f.value === "choice"
      ? ` ${f.choices.join("|")}`
      : f.value === "path"
        ? " file"
        : f.value === "integer"
          ? " int"
          : f.value === "number"
            ? " number"
            : " string"

const flagNames = (f: FlagSpec) =>
  [...f.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${f.name}`].join(", ")

/** The usage line: `session-bridge channel post <channel> <subject> [flags]`. */
export const usageLine = (spec: CommandSpec): string => {
  const words = [PROGRAM, ...spec.path]
  if (spec.subcommands.length > 0) words.push("<command>")
  words.push(...spec.args.map(argText))
  for (const f of spec.flags.filter((f) => f.required)) words.push(`--${f.name}${placeholder(f)}`)
  if (spec.flags.some((f) => !f.required)) words.push("[flags]")
  return words.join(" ")
}

const table = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length))) + 2
  return rows.map(([l, r]) => (l.length >= width ? `  ${l}\n  ${"".padEnd(width)}${r}` : `  ${l.padEnd(width)}${r}`))
}

const flagRow = (f: FlagSpec): readonly [string, string] => {
  const notes = [
    f.repeated && !/repeatable/i.test(f.description) ? "repeatable" : undefined,
    f.required ? "required" : undefined,
    f.defaultText !== undefined && !/default/i.test(f.description) ? `default: ${f.defaultText}` : undefined
  ].filter((x) => x !== undefined)
  return [`${flagNames(f)}${placeholder(f)}`, `${f.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`]
}

/** The help page of one command. */
export const commandHelp = (spec: CommandSpec): string => {
  const sections: Array<string> = [spec.description, `USAGE\n  ${usageLine(spec)}`]
  if (spec.subcommands.length > 0)
    sections.push(["COMMANDS", ...table(spec.subcommands.map((c) => [c.name, c.description] as const))].join("\n"))
  if (spec.args.length > 0)
    sections.push(["ARGUMENTS", ...table(spec.args.map((a) => [`<${a.name}>`, a.description] as const))].join("\n"))
  const flags = [...spec.flags.map(flagRow), ["-h, --help", "Show this help"] as const]
  sections.push(["FLAGS", ...table(flags)].join("\n"))
  sections.push(
    ["INHERITED FLAGS", ...table([["--verbose", "Debug logs and full error causes on stderr"] as const])].join("\n")
  )
  const examples = EXAMPLES[spec.path.join(" ")]
  if (examples !== undefined && examples.length > 0)
    sections.push(["EXAMPLES", ...examples.map((e) => `  $ ${e}`)].join("\n"))
  sections.push(
    spec.subcommands.length > 0
      ? `LEARN MORE\n  Use \`${PROGRAM} ${[...spec.path, "<command>"].join(" ")} --help\` for more about a command.`
      : `LEARN MORE\n  Exit codes and every command: docs/cli.md; error codes: docs/troubleshooting.md.`
  )
  return sections.join("\n\n")
}

/** Edit distance (insert, delete, substitute, and swap of neighbours). */
export const distance = (a: string, b: string): number => {
  const d: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  return d[a.length]![b.length]!
}

/** The closest names to `word` (distance at most 2, or a prefix), nearest first. */
export const suggest = (word: string, names: ReadonlyArray<string>): Array<string> =>
  names
    .map((n) => ({ n, d: n.startsWith(word) && word.length >= 3 ? 0.5 : distance(word, n) }))
    .filter((x) => x.d <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) || x.d === 0.5)
    .sort((x, y) => x.d - y.d)
    .map((x) => x.n)
