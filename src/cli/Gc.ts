import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import { DEFAULT_GC, Housekeeping, type Removal } from "../bridge/Housekeeping.js"
import { formatBytes, jsonOption, plural, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Only print what would be removed"))
const offlineDays = Options.integer("offline-days").pipe(
  Options.withDescription(
    "Remove sessions not seen for this many days, with their inbox, state, search index and hook stamps; also hook stamps unused this long"
  ),
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

/** The text report: removals grouped by kind, then the totals. */
const report = (removals: ReadonlyArray<Removal>, dryRun: boolean, bytes: number) => {
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
    `${dryRun ? "Would remove" : "Removed"} ${plural(removals.length, "entry", "entries")}, ${dryRun ? "would free" : "freed"} ${formatBytes(bytes)}.`
  )
  return lines.join("\n")
}

/** `session-bridge gc`: plans through Housekeeping, applies unless --dry-run, prints what went. */
export const gcCommand = Command.make(
  "gc",
  { dryRun, offlineDays, json: jsonOption },
  ({ dryRun, offlineDays, json }) =>
    Effect.gen(function* () {
      if (offlineDays < 1) return yield* usageError("--offline-days must be at least 1")
      const housekeeping = yield* Housekeeping
      const progress = yield* progressLine
      const removals = yield* housekeeping.planGc({ ...DEFAULT_GC, offlineMs: offlineDays * 86_400_000 }, progress)
      if (!dryRun) yield* housekeeping.applyGc(removals)
      const bytes = removals.reduce((n, r) => n + r.bytes, 0)
      if (json) return yield* printJson({ dryRun, bytesFreed: bytes, removed: removals })
      if (removals.length === 0) return yield* printText("Nothing to collect.")
      yield* printText(report(removals, dryRun, bytes))
    })
)
