import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { isoOfMillis } from "../../src/domain/IsoTime.js"
import { formatIso, UtcTime } from "../../src/domain/UtcTime.js"

const MAX = 8.64e15

describe("isoOfMillis", () => {
  it("writes what Date.prototype.toISOString writes, over the whole range of a Date", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (ms) => {
        assert.strictEqual(isoOfMillis(ms), new Date(ms).toISOString())
      }),
      { numRuns: 20_000 }
    )
  })

  it("writes what toISOString writes around the days, years and eras where the calendar turns", () => {
    const days = [0, 59, 60, 365, 366, 10_957, 11_016, 11_017, -1, -365, -719_468, -719_469, -719_528, 2_932_896]
    for (const day of days)
      for (const offset of [-86_400_001, -86_400_000, -1, 0, 1, 999, 1000, 86_399_999, 86_400_000]) {
        const ms = day * 86_400_000 + offset
        assert.strictEqual(isoOfMillis(ms), new Date(ms).toISOString(), `at ${ms}`)
      }
    for (const ms of [-MAX, MAX, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000])
      assert.strictEqual(isoOfMillis(ms), new Date(ms).toISOString(), `at ${ms}`)
    assert.strictEqual(isoOfMillis(-0), "1970-01-01T00:00:00.000Z")
  })

  it("answers as Date does for a fractional time, and refuses an invalid one as Date does", () => {
    assert.strictEqual(isoOfMillis(1.7), new Date(1.7).toISOString())
    assert.strictEqual(isoOfMillis(-1.7), new Date(-1.7).toISOString())
    assert.throws(() => isoOfMillis(Number.NaN), RangeError)
    assert.throws(() => isoOfMillis(MAX + 1), RangeError)
  })
})

describe("UtcTime", () => {
  it("decodes, encodes and refuses as Schema.DateTimeUtc does", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (ms) => {
        const time = DateTime.unsafeMake(ms)
        assert.strictEqual(Schema.encodeSync(UtcTime)(time), Schema.encodeSync(Schema.DateTimeUtc)(time))
        assert.strictEqual(formatIso(time), DateTime.formatIso(time))
        const text = new Date(ms).toISOString()
        assert.deepStrictEqual(Schema.decodeSync(UtcTime)(text), Schema.decodeSync(Schema.DateTimeUtc)(text))
      }),
      { numRuns: 2000 }
    )
    for (const text of [
      "2026-12-04T16:31:34.012Z",
      "2026-12-04",
      "2026-12-04T16:31:34+02:00",
      "nope",
      "",
      "2026-13-40"
    ]) {
      const ours = Schema.decodeUnknownEither(UtcTime)(text)
      const theirs = Schema.decodeUnknownEither(Schema.DateTimeUtc)(text)
      assert.strictEqual(Either.isRight(ours), Either.isRight(theirs), text)
      if (Either.isRight(ours) && Either.isRight(theirs)) assert.deepStrictEqual(ours.right, theirs.right)
      if (Either.isLeft(ours) && Either.isLeft(theirs)) assert.strictEqual(String(ours.left), String(theirs.left))
    }
  })

  it("has the JSON Schema of Schema.DateTimeUtc (tools/list shows it)", () => {
    const struct = (time: Schema.Schema<DateTime.Utc, string>) => JSONSchema.make(Schema.Struct({ at: time }))
    assert.deepStrictEqual(struct(UtcTime), struct(Schema.DateTimeUtc))
  })
})
