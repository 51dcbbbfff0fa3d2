import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { visible } from "../domain/Visible.js"

/** `--json` on every command that prints data. */
export const jsonOption = Options.boolean("json").pipe(
  Options.withDescription("Print JSON (for scripts) instead of text")
)

/**
 * Prints one value as pretty JSON on stdout. Strings keep their exact text; DEL, C1 and invisible or bidi
 * characters in them are written as `\uXXXX` escapes (JSON.stringify escapes only C0), so even JSON output
 * shown on a terminal is inert.
 */
export const printJson = (value: unknown): Effect.Effect<void> =>
  Console.log(visible(JSON.stringify(value, null, 2), "json"))

/** Prints one value as a single JSON line (for streams such as tail-inbox --json), escaped as printJson does. */
export const printJsonLine = (value: unknown): Effect.Effect<void> =>
  Console.log(visible(JSON.stringify(value), "json"))

/**
 * Human output on stdout. Every character a terminal would act on or that is invisible is shown as an escape
 * (`visible`, src/domain/Visible.ts), so stored text printed here stays inert; newlines and tabs are kept.
 */
export const printText = (text: string): Effect.Effect<void> => Console.log(visible(text, "block"))

/** Human output on stderr, made inert the same way. */
export const printErrorText = (text: string): Effect.Effect<void> => Console.error(visible(text, "block"))

/** One-line text from the store (a label, subject, summary, path), every control character shown as an escape. */
export const inline = (text: string): string => visible(text, "line")

/** Text from the store that keeps its lines (a body): newlines and tabs kept, everything else as for `inline`. */
export const multiline = (text: string): string => visible(text, "block")

/**
 * Shortens `text` to at most `max` characters, ending in "…" when cut; newlines become spaces, and any other
 * control or invisible character is shown as an escape (`inline`).
 */
export const truncate = (text: string, max: number): string => {
  const flat = inline(text.replace(/\s*\n\s*/g, " "))
  if (flat.length <= max) return flat
  const end = Math.max(0, max - 1)
  // Never end on the first half of a surrogate pair.
  return flat.slice(0, /[\uD800-\uDBFF]/.test(flat.charAt(end - 1)) ? end - 1 : end) + "…"
}

/** Replaces a leading home directory with "~". */
export const tildify = (path: string, home: string): string =>
  home !== "" && (path === home || path.startsWith(home + "/")) ? "~" + path.slice(home.length) : path

/**
 * A plain-text table: a header row, then one row per item, columns padded with two spaces between them.
 * The last column is not padded (no trailing spaces).
 */
export const formatTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago" (or "in 5m" for times ahead of now). */
export const relativeTime = (thenMs: number, nowMs: number): string => {
  const delta = nowMs - thenMs
  const abs = Math.abs(delta)
  if (abs < 5_000) return "just now"
  const s = Math.floor(abs / 1000)
  const text =
    s < 60
      ? `${s}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m`
        : s < 86_400
          ? `${Math.floor(s / 3600)}h`
          : `${Math.floor(s / 86_400)}d`
  return delta >= 0 ? `${text} ago` : `in ${text}`
}

/** Relative time of a DateTime against the Clock. */
export const ago = (then: DateTime.Utc): Effect.Effect<string> =>
  Effect.map(DateTime.now, (now) => relativeTime(DateTime.toEpochMillis(then), DateTime.toEpochMillis(now)))

/** "1.2 MiB", "512 B". */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`
  const units = ["KiB", "MiB", "GiB", "TiB"]
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** "1 message", "3 messages". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`
