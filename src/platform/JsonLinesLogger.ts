import { writeSync } from "node:fs"
import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map((m) => String(m)).join(" ") : String(message)

const format = ({ annotations, cause, date, logLevel, message }: Logger.Logger.Options<unknown>): string => {
  const line: Record<string, unknown> = {
    ts: date.toISOString(),
    level: logLevel.label.toLowerCase(),
    event: text(message)
  }
  for (const [key, value] of HashMap.toEntries(annotations)) line[key] = value
  if (!Cause.isEmpty(cause)) line["cause"] = Cause.pretty(cause).slice(0, 2000)
  return JSON.stringify(line) + "\n"
}

/** One JSON object per line on stderr: `{ts, level, event, ...annotations}` (stdout stays free). */
export const jsonStderrLogger = Logger.make((options) => {
  process.stderr.write(format(options))
})

let pending = ""
let scheduled = false
const flush = () => {
  scheduled = false
  if (pending === "") return
  const out = pending
  pending = ""
  process.stderr.write(out)
}
let exitHooked = false
// The last lines of a process that is exiting (a failed start, a stop): written before it is gone.
const flushOnExit = () => {
  if (pending !== "") writeSync(2, pending)
  pending = ""
}

/**
 * The same lines, written once per turn of the event loop: a server logging a line per request writes what a turn
 * logged in one write (one system call) instead of one each. Lines still pending when the process exits are
 * written synchronously on its way out.
 */
export const batchedJsonStderrLogger = Logger.make((options) => append(format(options)))

const append = (line: string) => {
  pending += line
  if (!exitHooked) {
    exitHooked = true
    process.on("exit", flushOnExit)
  }
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
}

/**
 * An info line written in the same batch as the logger's, in order with them: `{ts, level: "info", ...fields}`, as
 * the logger writes `Effect.logInfo(event)` with `fields` for annotations, without Effect's logger on the way (the
 * relay's request lines, one per request: docs/adr/0070-relay-request-lines-skip-the-effect-logger.md).
 */
export const batchedInfoLine = (fields: Record<string, unknown>): void =>
  append(JSON.stringify({ ts: new Date().toISOString(), level: "info", ...fields }) + "\n")
