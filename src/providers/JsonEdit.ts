import * as Effect from "effect/Effect"
import * as jsonc from "jsonc-parser/lib/esm/main.js"
import { ConfigInvalid } from "../domain/Errors.js"

/** A JSON value as read from a host config. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
export type JsonObject = { readonly [key: string]: Json }

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v)

export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return (
      ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
    )
  }
  return false
}

/** A JSON (or JSONC) document being edited: its text and the formatting its author uses. */
export interface JsonDoc {
  readonly path: string
  readonly text: string
  readonly allowComments: boolean
}

const indentOf = (text: string): { insertSpaces: boolean; tabSize: number } => {
  const m = /^([ \t]+)["}\]]/m.exec(text)
  if (m === null || m[1] === undefined) return { insertSpaces: true, tabSize: 2 }
  return m[1].startsWith("\t") ? { insertSpaces: false, tabSize: 1 } : { insertSpaces: true, tabSize: m[1].length }
}

const eolOf = (text: string) => (text.includes("\r\n") ? "\r\n" : "\n")

/** Parses a host config; CONFIG_INVALID naming the file when it is not a JSON object. Empty text is `{}`. */
export const parseObject = (doc: JsonDoc): Effect.Effect<JsonObject, ConfigInvalid> => {
  if (doc.text.trim() === "") return Effect.succeed({})
  const errors: Array<jsonc.ParseError> = []
  const value: unknown = jsonc.parse(doc.text, errors, {
    allowTrailingComma: doc.allowComments,
    disallowComments: !doc.allowComments
  })
  if (errors.length > 0) {
    const e = errors[0]!
    const line = doc.text.slice(0, e.offset).split("\n").length
    return Effect.fail(
      new ConfigInvalid({
        message: `${doc.path} is not valid JSON${doc.allowComments ? "C" : ""}: ${jsonc.printParseErrorCode(e.error)} at line ${line}`,
        hint: "Fix the file (the host would not read it either), then rerun. Nothing was written."
      })
    )
  }
  if (!isObject(value))
    return Effect.fail(
      new ConfigInvalid({
        message: `${doc.path} does not hold a JSON object at the top level`,
        hint: "Fix the file, then rerun. Nothing was written."
      })
    )
  return Effect.succeed(value)
}

/** Reads the value at `path` (undefined when absent). */
export const getAt = (root: Json, path: ReadonlyArray<string | number>): Json | undefined => {
  let cur: Json | undefined = root
  for (const key of path) {
    if (cur === undefined || cur === null) return undefined
    if (typeof key === "number") cur = Array.isArray(cur) ? (cur as ReadonlyArray<Json>)[key] : undefined
    else cur = isObject(cur) && Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined
  }
  return cur
}

/**
 * Sets (or, with `undefined`, removes) the value at `path`, keeping comments, key order and formatting
 * everywhere else. A no-op when the value there is already equal.
 */
export const setAt = (text: string, path: ReadonlyArray<string | number>, value: Json | undefined): string => {
  const base = text.trim() === "" ? "{}\n" : text
  const current = getAt(jsonc.parse(base) as Json, path)
  if (value === undefined ? current === undefined : deepEqual(current, value)) return text
  const { insertSpaces, tabSize } = indentOf(base)
  const edits = jsonc.modify(base, [...path], value, { formattingOptions: { insertSpaces, tabSize, eol: eolOf(base) } })
  return jsonc.applyEdits(base, edits)
}

/** Pretty JSON with a trailing newline, as the hosts themselves write it. */
export const printJson = (value: Json): string => JSON.stringify(value, null, 2) + "\n"
