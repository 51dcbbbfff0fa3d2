import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map((m) => String(m)).join(" ") : String(message)

/** One JSON object per line on stderr: `{ts, level, event, ...annotations}` (stdout stays free). */
export const jsonStderrLogger = Logger.make(({ annotations, cause, date, logLevel, message }) => {
  const line: Record<string, unknown> = {
    ts: date.toISOString(),
    level: logLevel.label.toLowerCase(),
    event: text(message)
  }
  for (const [key, value] of HashMap.toEntries(annotations)) line[key] = value
  if (!Cause.isEmpty(cause)) line["cause"] = Cause.pretty(cause).slice(0, 2000)
  process.stderr.write(JSON.stringify(line) + "\n")
})
