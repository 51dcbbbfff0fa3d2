import * as Effect from "effect/Effect"
import { parse } from "smol-toml"
import { ConfigInvalid } from "../domain/Errors.js"

/** Parses TOML; CONFIG_INVALID naming the file when it is not valid. */
export const parseToml = (path: string, text: string): Effect.Effect<Record<string, unknown>, ConfigInvalid> =>
  Effect.try({
    try: () => parse(text) as Record<string, unknown>,
    catch: (e) =>
      new ConfigInvalid({
        message: `${path} is not valid TOML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
        hint: "Fix the file (the host would not read it either), then rerun. Nothing was written."
      })
  })

/** The dotted key of a `[table]` header line, or undefined for other lines (and `[[arrays]]`). */
export const headerKey = (line: string): ReadonlyArray<string> | undefined => {
  const m = /^\s*\[(?!\[)(.*)\]\s*(#.*)?$/.exec(line)
  if (m === null || m[1] === undefined) return undefined
  const src = m[1]
  const parts: Array<string> = []
  let i = 0
  while (i < src.length) {
    while (src[i] === " " || src[i] === "\t") i++
    if (src[i] === '"') {
      let out = ""
      i++
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && i + 1 < src.length) {
          const esc = src[i + 1]!
          out += esc === "n" ? "\n" : esc === "t" ? "\t" : esc
          i += 2
        } else out += src[i++]
      }
      i++
      parts.push(out)
    } else if (src[i] === "'") {
      const end = src.indexOf("'", i + 1)
      if (end < 0) return undefined
      parts.push(src.slice(i + 1, end))
      i = end + 1
    } else {
      const m2 = /^[A-Za-z0-9_-]+/.exec(src.slice(i))
      if (m2 === null) return undefined
      parts.push(m2[0])
      i += m2[0].length
    }
    while (src[i] === " " || src[i] === "\t") i++
    if (i < src.length) {
      if (src[i] !== ".") return undefined
      i++
    }
  }
  return parts
}

const isTableStart = (line: string) => /^\s*\[/.test(line)
const isFiller = (line: string) => /^\s*(#.*)?$/.test(line)

/** A basic TOML string. */
export const tomlString = (s: string): string =>
  JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029")

export const tomlKey = (k: string): string => (/^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k))

/**
 * Removes every table whose header `owned` accepts (header through its last key line, plus the blank
 * lines after it; comment lines stay with what follows) and puts `replacement` where the first one was,
 * else at the end. With an unchanged replacement in place, returns the text unchanged.
 */
export const replaceTables = (
  text: string,
  owned: (key: ReadonlyArray<string>) => boolean,
  replacement: string
): string => {
  const lines = text.split("\n")
  const kept: Array<string> = []
  let insertAt = -1
  let i = 0
  while (i < lines.length) {
    const key = headerKey(lines[i]!)
    if (key !== undefined && owned(key)) {
      let j = i + 1
      while (j < lines.length && !isTableStart(lines[j]!)) j++
      let last = j - 1
      while (last > i && isFiller(lines[last]!)) last--
      let next = last + 1
      while (next < lines.length && lines[next]!.trim() === "") next++
      if (insertAt < 0) insertAt = kept.length
      i = next
      continue
    }
    kept.push(lines[i]!)
    i++
  }
  if (replacement === "") {
    const out = kept.join("\n")
    return out.trim() === "" ? "" : out.endsWith("\n") || kept.length === 0 ? out : out + "\n"
  }
  const block = [...replacement.replace(/\n+$/, "").split("\n"), ""]
  if (insertAt >= 0) {
    kept.splice(insertAt, 0, ...block)
    return kept.join("\n")
  }
  let body = kept.join("\n")
  if (body.trim() === "") return block.join("\n")
  if (!body.endsWith("\n")) body += "\n"
  return body + "\n" + block.join("\n")
}
