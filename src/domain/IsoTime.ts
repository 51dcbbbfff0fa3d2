/*
 * ISO 8601 UTC text of a time, as `Date.prototype.toISOString` writes it, computed with plain arithmetic.
 * Node 20's V8 looks up the local time zone inside every `toISOString` (and so `DateTime.formatIso` and the encode
 * of `Schema.DateTimeUtc`): the first call loads ICU's time zone and locale data, about 1 MiB resident in each
 * process, for a text that never depends on the zone (docs/adr/0060-iso-time-without-the-time-zone.md).
 * The code writes times only through this file and src/domain/UtcTime.ts; an architecture test refuses the other
 * ways.
 */

const DAY_MS = 86_400_000
/** The range of a valid `Date`: beyond it, and for a non-integer, `Date` answers (a RangeError for an invalid one). */
const MAX_TIME_MS = 8.64e15

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** The text `new Date(ms).toISOString()` gives, e.g. "2026-12-04T16:31:34.012Z"; years outside 0–9999 as ±YYYYYY. */
export const isoOfMillis = (ms: number): string => {
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_TIME_MS) return new Date(ms).toISOString()
  const days = Math.floor(ms / DAY_MS)
  const inDay = ms - days * DAY_MS
  // The civil date of a day number (days since 1970-01-01), in 400-year eras that start on March 1st.
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  const yearText = year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? "-" : "+") + pad(Math.abs(year), 6)
  const hours = Math.floor(inDay / 3_600_000)
  const minutes = Math.floor((inDay % 3_600_000) / 60_000)
  const seconds = Math.floor((inDay % 60_000) / 1000)
  const date = `${yearText}-${pad(month, 2)}-${pad(day, 2)}`
  return `${date}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(inDay % 1000, 3)}Z`
}
