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
export const batchedJsonStderrLogger = Logger.make((options) => {
  pending += format(options)
  if (!exitHooked) {
    exitHooked = true
    process.on("exit", flushOnExit)
  }
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
})
