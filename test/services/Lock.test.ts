import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { Lock } from "../../src/services/Lock.js"
import * as LockMemory from "../../src/services/Lock.js"
import { layerMemory as storeMemory } from "../../src/services/MemoryStore.js"
import { Store } from "../../src/services/Store.js"

const fileLockOnMemory = FileLock.layerFile.pipe(
  Layer.provideMerge(Layer.mergeAll(storeMemory, HostEnv.layerMemory({ pid: 100, alivePids: [200] })))
)

const testLock = (layer: () => Layer.Layer<Lock>) => {
  it.effect("serializes critical sections", () =>
    Effect.gen(function* () {
      const lock = yield* Lock
      const inside = yield* Ref.make(0)
      const maxInside = yield* Ref.make(0)
      const section = Effect.gen(function* () {
        const n = yield* Ref.updateAndGet(inside, (x) => x + 1)
        yield* Ref.update(maxInside, (m) => Math.max(m, n))
        yield* Effect.sleep("10 millis")
        yield* Ref.update(inside, (x) => x - 1)
      })
      const fiber = yield* Effect.fork(
        Effect.forEach([1, 2, 3, 4], () => lock.withLock("k")(section), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.strictEqual(yield* Ref.get(maxInside), 1)
    }).pipe(Effect.provide(layer()))
  )
}

describe("Lock/memory", () => testLock(() => LockMemory.layerMemory))
describe("Lock/file (on the memory store)", () => {
  testLock(() => fileLockOnMemory)

  it.effect("a lock held by a live process times out with LockError", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("locks/k.lock", JSON.stringify({ pid: 200, token: "other", at: 0 }))
      const lock = yield* Lock
      const fiber = yield* Effect.fork(Effect.flip(lock.withLock("k", { timeoutMs: 500 })(Effect.void)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "LockError")
    }).pipe(Effect.provide(fileLockOnMemory))
  )

  it.effect("a lock whose holder is dead, or that is corrupt, is recovered and released after use", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const lock = yield* Lock
      yield* store.write("locks/dead.lock", JSON.stringify({ pid: 999, token: "gone", at: 0 }))
      assert.strictEqual(yield* lock.withLock("dead")(Effect.succeed(7)), 7)
      yield* store.write("locks/junk.lock", "garbage")
      assert.strictEqual(yield* lock.withLock("junk")(Effect.succeed(8)), 8)
      assert.isTrue(Option.isNone(yield* store.read("locks/dead.lock")))
      assert.deepStrictEqual(yield* store.list("locks"), [])
    }).pipe(Effect.provide(fileLockOnMemory))
  )

  it.effect("an old lock of a live pid is stale after 30 s (pid reuse)", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const lock = yield* Lock
      yield* TestClock.adjust("1 minute")
      yield* store.write("locks/old.lock", JSON.stringify({ pid: 200, token: "old", at: 0 }))
      assert.strictEqual(yield* lock.withLock("old")(Effect.succeed("ok")), "ok")
    }).pipe(Effect.provide(fileLockOnMemory))
  )
})
