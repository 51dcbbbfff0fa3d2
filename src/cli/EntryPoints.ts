import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { listed } from "./Help.js"
import { usageError } from "./Runtime.js"

/**
 * `mcp` and `hook` are run by the executable's own fast paths (bin.ts) and never reach @effect/cli, except
 * for `--help`: these declarations give them help text and shell completions.
 */
const onlyThroughTheExecutable = (name: string) =>
  Effect.fail(
    usageError(
      `\`${name}\` runs only through the session-bridge executable`,
      `Run \`session-bridge ${name}\` from a shell or a host config.`
    )
  )

const mcp = Command.make("mcp", {}, () => onlyThroughTheExecutable("mcp"))

const hook = Command.make(
  "hook",
  {
    event: Args.text({ name: "event" }).pipe(
      Args.withDescription("session-start | prompt-submit | session-end (the host's event name)")
    ),
    provider: Options.text("provider").pipe(
      Options.withDescription("The host CLI that runs the hook, e.g. claude-code"),
      Options.optional
    )
  },
  () => onlyThroughTheExecutable("hook")
)

const relay = Command.make("relay", {}, () => onlyThroughTheExecutable("relay"))

const daemon = Command.make("daemon", {}, () => onlyThroughTheExecutable("daemon"))

/** mcp, hook, daemon, relay. */
export const entryPointCommands = [
  listed("entry", "The stdio MCP server a host CLI spawns for each session (stdout is protocol only)", mcp),
  listed(
    "entry",
    "The hook a host runs at session start, prompt submit and session end: host JSON on stdin, reply on stdout",
    hook
  ),
  listed(
    "entry",
    "The cloud daemon (foreground, one per home): sends queued contact messages, receives into the inbox, publishes presence",
    daemon
  ),
  listed(
    "entry",
    "The relay server (foreground): --host, --port, --db, --database-url, --registration-code; `relay account list|disable`, `relay migrate-to-pg`",
    relay
  )
] as const
