import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { makeRecordCache } from "../../src/bridge/RecordCache.js"
import { make as makeFileSystemStore } from "../../src/platform/store/FileSystemStore.js"
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

  it.live("on disk: an unchanged directory gives the last result back; a record replaced or removed is seen", () =>
    Effect.gen(function* () {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "sb-records-"))
      const store = makeFileSystemStore(root)
      const cache = makeRecordCache(store, "recs", Rec)
      yield* store.write("recs/a.json", JSON.stringify({ name: "aa" }))
      yield* store.write("recs/b.json", JSON.stringify({ name: "b1" }))
      // Past the time after which a directory's mtime is trusted (50 ms where mtimes are fine-grained, 2 s else).
      yield* Effect.sleep(2100)
      const first = yield* cache.readAll
      assert.deepStrictEqual(first, [{ name: "aa" }, { name: "b1" }])
      yield* Effect.sleep(60)
      assert.strictEqual(yield* cache.readAll, first, "the same result, from one stat of the directory")
      yield* store.write("recs/a.json", JSON.stringify({ name: "cc" }))
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "cc" }, { name: "b1" }])
      yield* store.remove("recs/b.json")
      assert.deepStrictEqual(yield* cache.readAll, [{ name: "cc" }])
      fs.rmSync(root, { recursive: true, force: true })
    })
  )
})
