import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import { LAYOUT_VERSION } from "../domain/Layout.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/Store.js"
import { VERSION } from "../Version.js"
import { applyGc, DEFAULT_GC, planGc, type Removal } from "./Gc.js"
import { listed } from "./Help.js"
import { inspectTarget, type Located } from "./Inspect.js"
import { formatBytes, jsonOption, plural, printJson, printText } from "./Output.js"
import { purgeCommand } from "./Purge.js"
import { usageError } from "./Runtime.js"

const versionCommand = Command.make("version", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const store = yield* Store
    const info = { version: VERSION, node: host.nodeVersion, home: store.root, layoutVersion: LAYOUT_VERSION }
    yield* json
      ? printJson(info)
      : printText(`session-bridge ${info.version}\nnode ${info.node}\nhome ${info.home}\nlayout v${info.layoutVersion}`)
  })
)

const target = Args.text({ name: "target" }).pipe(
  Args.withDescription("A message id, session id (or prefix), artifact sha256, or a file path under the bridge home")
)

const showLocated = (l: Located): string => {
  const head = `${l.kind}  ${l.absolutePath}\n  ${formatBytes(l.size)}, mode ${l.mode}, modified ${l.modified}`
  if (l.record !== undefined) return `${head}\n${JSON.stringify(l.record, null, 2)}`
  if (l.problem !== undefined) return `${head}\n  does not decode: ${l.problem.replace(/\n/g, "\n  ")}\n${l.raw ?? ""}`
  if (l.raw !== undefined) return `${head}\n${l.raw}`
  return head
}

const inspectCommand = Command.make("inspect", { target, json: jsonOption }, ({ target, json }) =>
  Effect.gen(function* () {
    const found = yield* inspectTarget(target)
    yield* json ? printJson(found) : printText(found.map(showLocated).join("\n\n"))
  })
)

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Only print what would be removed"))
const offlineDays = Options.integer("offline-days").pipe(
  Options.withDescription("Remove sessions not seen for this many days, with their inbox and state"),
  Options.withDefault(7)
)

const KIND_TITLES: Record<Removal["kind"], string> = {
  broadcast: "expired broadcasts (and their read markers)",
  session: "offline sessions (records, inboxes, state, pointers)",
  membership: "channel memberships of removed sessions",
  temp: "temp files left by interrupted writes",
  lock: "stale locks",
  artifact: "artifacts no message references",
  ref: "message refs and thread markers whose message is gone"
}

/** A progress line on stderr (terminals only), redrawn in place, for stores with many messages. */
const progressLine = Effect.gen(function* () {
  const terminal = yield* Terminal.Terminal
  const tty = yield* terminal.isTTY
  return (done: number, total: number) =>
    tty && total >= 1000
      ? terminal.display(`\rgc: scanned ${done}/${total} messages${done === total ? "\n" : ""}`).pipe(Effect.ignore)
      : Effect.void
})

const gcCommand = Command.make("gc", { dryRun, offlineDays, json: jsonOption }, ({ dryRun, offlineDays, json }) =>
  Effect.gen(function* () {
    if (offlineDays < 1) return yield* usageError("--offline-days must be at least 1")
    const progress = yield* progressLine
    const removals = yield* planGc({ ...DEFAULT_GC, offlineMs: offlineDays * 86_400_000 }, progress)
    if (!dryRun) yield* applyGc(removals)
    const bytes = removals.reduce((n, r) => n + r.bytes, 0)
    if (json) return yield* printJson({ dryRun, bytesFreed: bytes, removed: removals })
    if (removals.length === 0) return yield* printText("Nothing to collect.")
    const verb = dryRun ? "Would remove" : "Removed"
    const lines: Array<string> = []
    for (const kind of Object.keys(KIND_TITLES) as Array<Removal["kind"]>) {
      const of = removals.filter((r) => r.kind === kind)
      if (of.length === 0) continue
      lines.push(`${KIND_TITLES[kind]}:`)
      for (const r of of) {
        lines.push(
          r.member !== undefined
            ? `  ${r.reason}`
            : `  ${r.path}${r.tree === true ? "/" : ""}  ${formatBytes(r.bytes)}  (${r.reason})`
        )
      }
    }
    lines.push(
      `${verb} ${plural(removals.length, "entry", "entries")}, ${dryRun ? "would free" : "freed"} ${formatBytes(bytes)}.`
    )
    yield* printText(lines.join("\n"))
  })
)

/** inspect, gc, purge, version. */
export const maintenanceCommands = [
  listed(
    "maintenance",
    "Show a stored record decoded, and where it lives on disk (message, session, sha256, path)",
    inspectCommand
  ),
  listed(
    "maintenance",
    "Remove expired broadcasts, long-offline sessions, stale temp files and locks, unreferenced artifacts",
    gcCommand
  ),
  listed("maintenance", "Delete all local state (asks first; --yes to skip)", purgeCommand),
  listed("maintenance", "Print the package version, node version, home path and layout version", versionCommand)
] as const
