import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { decodeTime, isUlid } from "../../src/domain/Ulid.js"
import { Ids, layer } from "../../src/services/Ids.js"

describe("Ids", () => {
  it.effect("ULIDs are valid, carry the clock's time, and are strictly increasing within a millisecond", () =>
    Effect.gen(function* () {
      const ids = yield* Ids
      yield* TestClock.setTime(1_700_000_000_000)
      const batch = yield* Effect.replicateEffect(ids.next, 500)
      assert.isTrue(batch.every(isUlid))
      assert.strictEqual(decodeTime(batch[0]!), 1_700_000_000_000)
      assert.deepStrictEqual([...batch].sort(), batch)
      assert.strictEqual(new Set(batch).size, 500)
      yield* TestClock.adjust(5)
      const later = yield* ids.next
      assert.strictEqual(decodeTime(later), 1_700_000_000_005)
      assert.isTrue(later > batch[499]!)
    }).pipe(Effect.provide(layer))
  )
})
