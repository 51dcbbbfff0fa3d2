import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { fromUtf8, utf8 } from "./Bytes.js"

/*
 * Canonical JSON, the only JSON sb1 signs or seals:
 * - objects: keys sorted by UTF-16 code units (JavaScript's default sort), written `{"k":v,...}`; a key whose value
 *   is `undefined` is left out (an absent optional field)
 * - arrays in order; no whitespace anywhere
 * - strings as JSON.stringify writes them (`"` `\` and U+0000–U+001F escaped, lone surrogates as \uXXXX, all other
 *   characters literal)
 * - numbers: safe integers only, in plain decimal (`-0` is written `0`); anything else is refused
 * - true, false, null
 * The text is then UTF-8 encoded.
 */

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json | undefined }

const write = (value: unknown): string | undefined => {
  if (value === null || typeof value === "boolean") return String(value)
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : undefined
  if (typeof value === "string") return JSON.stringify(value)
  if (Array.isArray(value)) {
    const items: Array<string> = []
    for (const item of value) {
      const text = write(item)
      if (text === undefined) return undefined
      items.push(text)
    }
    return `[${items.join(",")}]`
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>
    const members: Array<string> = []
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue
      const text = write(record[key])
      if (text === undefined) return undefined
      members.push(`${JSON.stringify(key)}:${text}`)
    }
    return `{${members.join(",")}}`
  }
  return undefined
}

/** The canonical text, or none when the value holds something canonical JSON cannot carry (a fraction, NaN, ...). */
export const canonicalJsonText = (value: unknown): Option.Option<string> => Option.fromNullable(write(value))

/** The canonical UTF-8 bytes. */
export const canonicalJson = (value: unknown): Option.Option<Uint8Array> => Option.map(canonicalJsonText(value), utf8)

/**
 * Parses bytes that must already be canonical: none for invalid UTF-8, invalid JSON, or JSON that is not written
 * canonically (whitespace, unsorted or duplicate keys, escapes where a literal is due, ...).
 */
export const parseCanonicalJson = (bytes: Uint8Array): Option.Option<unknown> =>
  Option.flatMap(fromUtf8(bytes), (text) =>
    Option.flatMap(Option.liftThrowable(() => JSON.parse(text) as unknown)(), (value) =>
      write(value) === text ? Option.some(value) : Option.none()
    )
  )

/**
 * A value encoded through its schema, then written canonically: the encoder is compiled once per schema, and the
 * result is an Either, so a hot path (sealing an envelope) runs it without a fiber step.
 */
export const canonicalEncoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const encode = Schema.encodeEither(schema)
  return (value: A): Either.Either<string, ParseResult.ParseError> =>
    Either.flatMap(encode(value), (encoded) => {
      const text = write(encoded)
      return text === undefined
        ? Either.left(
            new ParseResult.ParseError({
              issue: new ParseResult.Type(schema.ast, encoded, "not representable in canonical JSON")
            })
          )
        : Either.right(text)
    })
}

/** A value encoded through its schema, then written canonically, as UTF-8. */
export const encodeCanonical = <A, I>(
  schema: Schema.Schema<A, I>,
  value: A
): Effect.Effect<Uint8Array, ParseResult.ParseError> =>
  Either.match(canonicalEncoder(schema)(value), { onLeft: Effect.fail, onRight: (text) => Effect.succeed(utf8(text)) })

/** Canonical bytes decoded through a schema: none when either step refuses. The decoder is compiled once. */
export const decodeCanonical = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownOption(schema)
  return (bytes: Uint8Array): Option.Option<A> => Option.flatMap(parseCanonicalJson(bytes), decode)
}
