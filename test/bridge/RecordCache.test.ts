import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { makeRecordCache } from "../../src/bridge/RecordCache.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"

const Rec = Schema.Struct({ name: Schema.String })

describe("RecordCache", () => {
  it.effect("a same-size rewrite in the same clock tick as the last decode is still seen", () =>
    Effect.gen(function* () {
      const store = yield* makeMemory
      const cache = makeRecordCache(store, "recs", Rec)
      yield* store.write("recs/a.json", JSON.stringify({ name: "aa" }))
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "aa" }])
      yield* store.write("recs/a.json", JSON.stringify({ name: "bb" }))
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "bb" }])
    })
  )

  it.effect("a trusted record is re-read after it changes, and forgotten once removed", () =>
    Effect.gen(function* () {
      const store = yield* makeMemory
      const cache = makeRecordCache(store, "recs", Rec)
      yield* store.write("recs/a.json", JSON.stringify({ name: "aa" }))
      yield* store.write("recs/b.json", JSON.stringify({ name: "b1" }))
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "aa" }, { name: "b1" }])
      yield* TestClock.adjust("1 second")
      yield* store.write("recs/a.json", JSON.stringify({ name: "cc" }))
      yield* store.remove("recs/b.json")
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "cc" }])
    })
  )
})
