import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Random, Ref, TestClock } from "effect"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { Lock } from "../../src/services/Lock.js"
import * as LockMemory from "../../src/services/Lock.js"
import { layerMemory as storeMemory, makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"

const fileLockOnMemory = FileLock.layerFile.pipe(
  Layer.provideMerge(Layer.mergeAll(storeMemory, HostEnv.layerMemory({ pid: 100, alivePids: [200] })))
)

/**
 * The memory store, yielding to other fibers a random number of times before every call, so that racing fibers
 * interleave between any two steps of a lock (read, then move) as processes do.
 */
const yieldingStore = Layer.effect(
  Store,
  Effect.map(makeMemory, (s): StoreShape => {
    const y = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.zipRight(
        Effect.flatMap(Random.nextIntBetween(0, 4), (n) => Effect.repeatN(Effect.yieldNow(), n)),
        effect
      )
    return {
      ...s,
      readText: (p) => y(s.readText(p)),
      write: (p, d) => y(s.write(p, d)),
      createExclusive: (p, d) => y(s.createExclusive(p, d)),
      remove: (p) => y(s.remove(p)),
      move: (a, b) => y(s.move(a, b))
    }
  })
)

/**
 * Six fibers per trial append to one list under one lock; none is lost. With `lockFiles`, each trial starts
 * with a dead holder's lock file in the way, and no lock file, claim or moved-aside file is left at the end.
 */
const raceStaleLock = (trials: number, lockFiles: boolean) =>
  Effect.gen(function* () {
    const store = yield* Store
    const lock = yield* Lock
    const lost: Array<string> = []
    for (let n = 0; n < trials; n++) {
      if (lockFiles) yield* store.write(`locks/m-${n}.lock`, JSON.stringify({ pid: 999, token: "dead", at: 0 }))
      const append = (who: string) =>
        lock.withLock(`m-${n}`, { timeoutMs: 60_000 })(
          Effect.gen(function* () {
            const current = yield* store.readText(`m-${n}.json`)
            const list: Array<string> = Option.match(current, { onNone: () => [], onSome: (t) => JSON.parse(t) })
            yield* store.write(`m-${n}.json`, JSON.stringify([...list, who]))
          })
        )
      const fiber = yield* Effect.fork(
        Effect.forEach(["a", "b", "c", "d", "e", "f"], append, { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const list = JSON.parse(Option.getOrElse(yield* store.readText(`m-${n}.json`), () => "[]"))
      if (list.length !== 6) lost.push(`trial ${n}: ${list.join(",")}`)
    }
    assert.deepStrictEqual(lost, [])
    if (lockFiles) assert.deepStrictEqual(yield* store.list("locks"), [])
  })

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

describe("Lock/memory", () => {
  testLock(() => LockMemory.layerMemory)

  it.effect("fibers racing one lock lose no update (40 trials of 6)", () =>
    raceStaleLock(40, false).pipe(Effect.provide(Layer.mergeAll(LockMemory.layerMemory, yieldingStore)))
  )
})
describe("Lock/file (on the memory store)", () => {
  testLock(() => fileLockOnMemory)

  it.effect("a lock held by a live process times out with LockTimeout", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("locks/k.lock", JSON.stringify({ pid: 200, token: "other", at: 0 }))
      const lock = yield* Lock
      const fiber = yield* Effect.fork(Effect.flip(lock.withLock("k", { timeoutMs: 500 })(Effect.void)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "LockTimeout")
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

  it.effect("fibers racing a dead holder's lock lose no update and leave no file (40 trials of 6)", () =>
    raceStaleLock(40, true).pipe(
      Effect.provide(
        FileLock.layerFile.pipe(
          Layer.provideMerge(Layer.mergeAll(yieldingStore, HostEnv.layerMemory({ pid: 100, alivePids: [200] })))
        )
      )
    )
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
