import * as DateTime from "effect/DateTime"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { isoOfMillis } from "./IsoTime.js"

/*
 * UTC times written as text without `Date.prototype.toISOString` (src/domain/IsoTime.ts says why): what the code
 * uses in place of `DateTime.formatIso` and `Schema.DateTimeUtc`.
 */

/** `DateTime.formatIso` for a UTC time, without the time zone lookup. */
export const formatIso = (time: DateTime.Utc): string => isoOfMillis(time.epochMillis)

/**
 * `Schema.DateTimeUtc` with its encode through `formatIso`: the same decode (`DateTime.unsafeMake`), the same
 * error text, the same annotations (and so the same JSON Schema in tools/list).
 */
export const UtcTime = Schema.transformOrFail(
  Schema.String.annotations({ description: "a string to be decoded into a DateTime.Utc" }),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _, ast) =>
      ParseResult.try({
        try: () => DateTime.unsafeMake(input),
        catch: () => new ParseResult.Type(ast, input, `Unable to decode ${JSON.stringify(input)} into a DateTime.Utc`)
      }),
    encode: (time) => ParseResult.succeed(formatIso(time))
  }
).annotations({ identifier: "DateTimeUtc" })
