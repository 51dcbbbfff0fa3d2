import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { StoreError } from "../domain/Errors.js"
import { logEvent } from "./EventLog.js"
import { Store, type StoreShape } from "./Store.js"

/** Moves a file that failed to decode to quarantine/, logs it, and lets the reader go on. */
export const quarantine = (path: string, reason: string): Effect.Effect<void, never, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const stamp = DateTime.formatIso(yield* DateTime.now).replace(/[:.]/g, "-")
    const target = `quarantine/${stamp}-${path.replace(/\//g, "__")}`
    yield* store.move(path, target)
    yield* logEvent("quarantined", { path, movedTo: target, reason: reason.slice(0, 500) })
  }).pipe(Effect.catchAll((error) => Effect.logWarning(`could not quarantine ${path}: ${error.message}`)))

/** One JSON decoder per schema, built on first use (building one per read shows in the hook's per-prompt cost). */
const decoders = new WeakMap<object, (text: string) => Either.Either<unknown, ParseResult.ParseError>>()
const jsonDecoder = <A, I>(
  schema: Schema.Schema<A, I>
): ((text: string) => Either.Either<A, ParseResult.ParseError>) => {
  const known = decoders.get(schema)
  if (known !== undefined) return known as (text: string) => Either.Either<A, ParseResult.ParseError>
  // JSON.parse, then the schema: the same result as Schema.parseJson(schema), one transformation less per read.
  const decode = Schema.decodeUnknownEither(schema)
  const made = (text: string): Either.Either<A, ParseResult.ParseError> =>
    Either.flatMap(
      Either.try({
        try: (): unknown => JSON.parse(text),
        catch: (error) =>
          ParseResult.parseError(
            new ParseResult.Type(
              schema.ast,
              text,
              `not JSON: ${error instanceof Error ? error.message : String(error)}`
            )
          )
      }),
      decode
    )
  decoders.set(schema, made)
  return made
}

/**
 * Reads a JSON record of `store` through its schema; a corrupt file is quarantined and reads as missing. Services
 * that hold the store call this directly: providing the Store service on every read costs more than the read.
 */
export const readJsonIn = <A, I>(
  store: StoreShape,
  path: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<Option.Option<A>, StoreError> =>
  Effect.flatMap(store.readText(path), (text) => {
    if (Option.isNone(text)) return Effect.succeed(Option.none<A>())
    const decoded = jsonDecoder(schema)(text.value)
    if (decoded._tag === "Right") return Effect.succeed(Option.some(decoded.right))
    return quarantine(path, ParseResult.TreeFormatter.formatErrorSync(decoded.left)).pipe(
      Effect.provideService(Store, store),
      Effect.as(Option.none<A>())
    )
  })

/** readJsonIn for several records at once (one store call); each corrupt one is quarantined and reads as missing. */
export const readJsonsIn = <A, I>(
  store: StoreShape,
  paths: ReadonlyArray<string>,
  schema: Schema.Schema<A, I>
): Effect.Effect<ReadonlyArray<Option.Option<A>>, StoreError> =>
  Effect.flatMap(store.readTexts(paths), (texts) => {
    const decode = jsonDecoder(schema)
    const corrupt: Array<readonly [string, ParseResult.ParseError]> = []
    const out = texts.map((text, i): Option.Option<A> => {
      if (Option.isNone(text)) return Option.none()
      const decoded = decode(text.value)
      if (decoded._tag === "Right") return Option.some(decoded.right)
      corrupt.push([paths[i]!, decoded.left])
      return Option.none()
    })
    if (corrupt.length === 0) return Effect.succeed(out)
    return Effect.forEach(
      corrupt,
      ([path, error]) => quarantine(path, ParseResult.TreeFormatter.formatErrorSync(error)),
      {
        discard: true
      }
    ).pipe(Effect.provideService(Store, store), Effect.as(out))
  })

/** Reads a JSON record through its schema; a corrupt file is quarantined and reads as missing. */
export const readJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<Option.Option<A>, StoreError, Store> =>
  Effect.flatMap(Store, (store) => readJsonIn(store, path, schema))

const encodeWith = <A, I>(schema: Schema.Schema<A, I>, value: A): string =>
  JSON.stringify(Schema.encodeSync(schema)(value), null, 2) + "\n"

/** Atomically replaces a JSON record. */
export const writeJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>,
  value: A
): Effect.Effect<void, StoreError, Store> =>
  Effect.flatMap(Store, (store) => store.write(path, encodeWith(schema, value)))

/** Creates a JSON record only if the path is free; true when created. */
export const createJson = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>,
  value: A
): Effect.Effect<boolean, StoreError, Store> =>
  Effect.flatMap(Store, (store) => store.createExclusive(path, encodeWith(schema, value)))

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
