/**
 * The one rule for showing text that came from other sessions (or other machines) to a person at a terminal or
 * to a model in the hook's inbox block: every character that a terminal would act on, or that is invisible,
 * is replaced by a visible escape, so stored text can never move the cursor, clear the screen, set the window
 * title or the clipboard (OSC), hide a link (OSC 8), reorder a line (bidi overrides) or hide itself.
 *
 * What is escaped, and how:
 * - `\n` `\r` `\t` as those two characters (`\n` and `\t` are kept as they are in "block" layout);
 * - other C0 controls, DEL and the C1 controls (U+0080-U+009F, NEL included) as `\xNN`, e.g. ESC as `\x1b`;
 * - format and invisible characters as `\uNNNN`: soft hyphen U+00AD, Arabic letter mark U+061C, Mongolian vowel
 *   separator U+180E, zero-width space / non-joiner / joiner and the LRM/RLM marks U+200B-U+200F, the line and
 *   paragraph separators U+2028/U+2029, the bidi embeddings and overrides U+202A-U+202E, word joiner and the
 *   invisible operators U+2060-U+2064, the bidi isolates and deprecated format characters U+2066-U+206F, the
 *   byte order mark U+FEFF and the interlinear annotation characters U+FFF9-U+FFFB;
 * - Unicode tag characters U+E0000-U+E007F (invisible "ASCII smuggling") as `\u{e0041}`;
 * - a lone surrogate (not text, and written as U+FFFD by any encoder) as `\ud800`.
 *
 * A backslash is not escaped, so the escapes are unambiguous only to the eye: the exact text is what `--json`
 * and the MCP tools carry. Zero-width joiners inside emoji sequences are escaped too (no exceptions, no guessing).
 */

/** Characters outside C0 that `visible` escapes in every layout: DEL, C1, format and invisible ones, lone surrogates. */
const OTHERS =
  "\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb" +
  "\\u{e0000}-\\u{e007f}\\ud800-\\udfff"
/** Everything `visible` escapes in "line" layout (a lone surrogate is one code point under the u flag). */
const LINE = new RegExp(`[\\u0000-\\u001f${OTHERS}]`, "gu")
/** The same without `\n` and `\t`, for "block" and "json" layouts. */
const BLOCK = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${OTHERS}]`, "gu")

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")

/** The visible escape of one character `visible` replaces. */
const escape = (c: string): string => {
  if (c === "\n") return "\\n"
  if (c === "\r") return "\\r"
  if (c === "\t") return "\\t"
  const code = c.codePointAt(0) ?? 0
  if (code <= 0x9f) return `\\x${hex(code, 2)}`
  if (code > 0xffff) return `\\u{${hex(code, 5)}}`
  return `\\u${hex(code, 4)}`
}

/** The JSON escape of one character: `\uXXXX` per UTF-16 unit, so JSON.parse gives the character back. */
const jsonEscape = (c: string): string => {
  let out = ""
  for (let i = 0; i < c.length; i++) out += `\\u${hex(c.charCodeAt(i), 4)}`
  return out
}

/**
 * `text` with every control, format and invisible character shown as an escape (see above). "line" escapes
 * line breaks and tabs too, for one-line fields (labels, subjects, table cells); "block" keeps `\n` and `\t`,
 * for bodies. "json" is for JSON text (the output of JSON.stringify, which escapes C0 controls but not DEL, C1
 * or the format characters): the same characters become `\uXXXX` escapes, so the JSON still parses to the exact
 * text. Text with nothing to escape is returned as is (one scan, no copy); the result contains nothing the
 * layout would escape, so applying it twice changes nothing.
 */
export const visible = (text: string, layout: "line" | "block" | "json" = "line"): string => {
  const pattern = layout === "line" ? LINE : BLOCK
  pattern.lastIndex = 0
  return pattern.test(text) ? text.replace(pattern, layout === "json" ? jsonEscape : escape) : text
}
