import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { StoreError } from "../../domain/Errors.js"
import { formatIso } from "../../domain/UtcTime.js"
import { logEvent } from "../EventLog.js"
import { Store, type StoreShape } from "./Store.js"

/**
 * Moves a file that failed to decode or could not be read to quarantine/, logs it, and lets the reader go on.
 * `reason` must not quote the file's content (the log outlives it; see `problemOf`).
 */
export const quarantine = (path: string, reason: string): Effect.Effect<void, never, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const stamp = formatIso(yield* DateTime.now).replace(/[:.]/g, "-")
    const target = `quarantine/${stamp}-${path.replace(/\//g, "__")}`
    yield* store.move(path, target)
    yield* logEvent("quarantined", { path, movedTo: target, reason: reason.slice(0, 500) })
  }).pipe(Effect.catchAll((error) => Effect.logWarning(`could not quarantine ${path}: ${error.message}`)))

const NOT_JSON = "not JSON"

/** A store path element or schema key as the log may show it: plain characters, short. */
const plainKey = (key: PropertyKey): string =>
  String(key)
    .replace(/[^\w.-]/g, "?")
    .slice(0, 40)

/**
 * Why a record did not decode, without any of its content: "not JSON", or each issue's kind and where it is
 * (`Type at body`, `Missing at from.sessionId`). A parse error's own text quotes the values it saw, and a file
 * planted in the home could hold anything (a secret's text), so that text never reaches the event log.
 */
export const problemOf = (error: ParseResult.ParseError): string => {
  if (error.issue._tag === "Type" && error.issue.message === NOT_JSON) return NOT_JSON
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issues
    .slice(0, 5)
    .map((i) => `${i._tag}${i.path.length > 0 ? ` at ${i.path.map(plainKey).join(".")}` : ""}`)
    .join("; ")
}

/**
 * A plain decoder tried before a schema: it returns exactly what the schema would decode, or undefined for what it
 * does not take on (which the schema then decodes, or refuses). For records read often, where the schema's cost
 * shows. One belongs to one schema: the decoders below are kept by it.
 */
export type PlainDecoder<A> = (u: unknown) => A | undefined

/** One JSON decoder per schema and plain decoder, built on first use (one per read shows in the hook's cost). */
const decoders = new WeakMap<object, (text: string) => Either.Either<unknown, ParseResult.ParseError>>()
const jsonDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  plain?: PlainDecoder<A>
): ((text: string) => Either.Either<A, ParseResult.ParseError>) => {
  const key = plain ?? schema
  const known = decoders.get(key)
  if (known !== undefined) return known as (text: string) => Either.Either<A, ParseResult.ParseError>
  // JSON.parse, then the schema: the same result as Schema.parseJson(schema), one transformation less per read.
  const viaSchema = Schema.decodeUnknownEither(schema)
  const decode =
    plain === undefined
      ? viaSchema
      : (u: unknown): Either.Either<A, ParseResult.ParseError> => {
          const quick = plain(u)
          return quick === undefined ? viaSchema(u) : Either.right(quick)
        }
  const made = (text: string): Either.Either<A, ParseResult.ParseError> =>
    Either.flatMap(
      Either.try({
        try: (): unknown => JSON.parse(text),
        catch: () =>
          // The parser's message quotes the text: it is left out (problemOf).
          ParseResult.parseError(new ParseResult.Type(schema.ast, undefined, NOT_JSON))
      }),
      decode
    )
  decoders.set(key, made)
  return made
}

/**
 * Reads a JSON record of `store` through its schema; a corrupt file is quarantined and reads as missing. Services
 * that hold the store call this directly: providing the Store service on every read costs more than the read.
 */
export const readJsonIn = <A, I>(
  store: StoreShape,
  path: string,
  schema: Schema.Schema<A, I>,
  plain?: PlainDecoder<A>
): Effect.Effect<Option.Option<A>, StoreError> =>
  store.readText(path).pipe(
    Effect.flatMap((text) => {
      if (Option.isNone(text)) return Effect.succeed(Option.none<A>())
      const decoded = jsonDecoder(schema, plain)(text.value)
      if (decoded._tag === "Right") return Effect.succeed(Option.some(decoded.right))
      return quarantine(path, problemOf(decoded.left)).pipe(
        Effect.provideService(Store, store),
        Effect.as(Option.none<A>())
      )
    }),
    // A link, a FIFO, a directory or an oversized file where the record belongs: set aside like a corrupt one.
    // (A refused directory on the way, or the home itself, is the caller's error, not this record's.)
    Effect.catchIf(
      (error) => error.reason === "Unsafe" && error.path === path,
      (error) =>
        quarantine(error.path, error.message).pipe(Effect.provideService(Store, store), Effect.as(Option.none<A>()))
    )
  )

/**
 * readJsonIn for several records at once (one store call); each corrupt or unreadable one is quarantined and
 * reads as missing, and the others are read as usual.
 */
export const readJsonsIn = <A, I>(
  store: StoreShape,
  paths: ReadonlyArray<string>,
  schema: Schema.Schema<A, I>,
  plain?: PlainDecoder<A>
): Effect.Effect<ReadonlyArray<Option.Option<A>>, StoreError> =>
  Effect.flatMap(store.readTexts(paths), (texts) => {
    const decode = jsonDecoder(schema, plain)
    const refused = texts.find((t, i) => t._tag === "Left" && t.left.path !== paths[i])
    if (refused?._tag === "Left") return Effect.fail(refused.left) // a directory on the way, or the home
    const corrupt: Array<readonly [string, string]> = []
    const out = texts.map((read, i): Option.Option<A> => {
      if (read._tag === "Left") {
        corrupt.push([read.left.path, read.left.message])
        return Option.none()
      }
      const text = read.right
      if (Option.isNone(text)) return Option.none()
      const decoded = decode(text.value)
      if (decoded._tag === "Right") return Option.some(decoded.right)
      corrupt.push([paths[i]!, problemOf(decoded.left)])
      return Option.none()
    })
    if (corrupt.length === 0) return Effect.succeed(out)
    return Effect.forEach(corrupt, ([path, reason]) => quarantine(path, reason), { discard: true }).pipe(
      Effect.provideService(Store, store),
      Effect.as(out)
    )
  })

/** Reads a JSON record through its schema; a corrupt file is quarantined and reads as missing. */
export const readJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<Option.Option<A>, StoreError, Store> =>
  Effect.flatMap(Store, (store) => readJsonIn(store, path, schema))

/** A plain encoder tried before a schema: exactly the schema's encoding, or undefined (the schema then encodes). */
export type PlainEncoder<A, I> = (value: A) => I | undefined

/** A record's text as the store keeps it: the schema's encoding, indented, with a final newline. */
export const encodeJson = <A, I>(schema: Schema.Schema<A, I>, value: A, plain?: PlainEncoder<A, I>): string =>
  JSON.stringify(plain?.(value) ?? Schema.encodeSync(schema)(value), null, 2) + "\n"

/** Atomically replaces a JSON record. */
export const writeJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>,
  value: A
): Effect.Effect<void, StoreError, Store> =>
  Effect.flatMap(Store, (store) => store.write(path, encodeJson(schema, value)))

/** Creates a JSON record only if the path is free; true when created. */
export const createJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>,
  value: A,
  plain?: PlainEncoder<A, I>
): Effect.Effect<boolean, StoreError, Store> =>
  Effect.flatMap(Store, (store) => store.createExclusive(path, encodeJson(schema, value, plain)))

/** Reads every decodable record of a directory (entries ending in .json), skipping and quarantining corrupt ones. */
export const readAllJson = <A, I>(
  dir: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<ReadonlyArray<A>, StoreError, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const names = (yield* store.list(dir)).filter((n) => n.endsWith(".json"))
    const found = yield* Effect.forEach(names, (n) => readJson(`${dir}/${n}`, schema), { concurrency: 16 })
    return found.flatMap(Option.toArray)
  })
