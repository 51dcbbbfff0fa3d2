import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { layerInProcess, TICK_MS, Waiters } from "../../src/relay/Waiters.js"

describe("Waiters/inProcess", () => {
  it.effect("a wake between registering and awaiting is not lost; only that recipient's waiters wake", () =>
    Effect.gen(function* () {
      const waiters = yield* Waiters
      const result = yield* Effect.scoped(
        Effect.gen(function* () {
          const mine = yield* waiters.register(1)
          const other = yield* waiters.register(2)
          yield* waiters.wake(1) // arrives before the handler awaits (e.g. during its query)
          const woken = yield* mine.await("25 seconds")
          const fiber = yield* Effect.fork(other.await("25 seconds"))
          yield* TestClock.adjust("25 seconds")
          return [woken, yield* Fiber.join(fiber)]
        })
      )
      assert.deepStrictEqual(result, [true, false])
      assert.strictEqual(yield* waiters.size, 0)
    }).pipe(Effect.provide(layerInProcess))
  )

  it.effect("parked waiters time out on the shared timer, each at its own deadline, and a wake still wins", () =>
    Effect.gen(function* () {
      const waiters = yield* Waiters
      yield* Effect.scoped(
        Effect.gen(function* () {
          const [a, b, c] = yield* Effect.forEach([1, 2, 3], (r) => waiters.register(r))
          const fa = yield* Effect.fork(a!.await("1 second"))
          const fb = yield* Effect.fork(b!.await("5 seconds"))
          const fc = yield* Effect.fork(c!.await("5 seconds"))
          yield* TestClock.adjust("900 millis")
          assert.isTrue(Option.isNone(yield* Fiber.poll(fa)))
          yield* TestClock.adjust(`${200 + TICK_MS} millis`)
          assert.isFalse(yield* Fiber.join(fa))
          assert.isTrue(Option.isNone(yield* Fiber.poll(fb)))
          yield* waiters.wake(3)
          assert.isTrue(yield* Fiber.join(fc))
          yield* TestClock.adjust("4 seconds")
          assert.isFalse(yield* Fiber.join(fb))
        })
      )
      assert.strictEqual(yield* waiters.size, 0)
    }).pipe(Effect.provide(layerInProcess))
  )

  it.effect("wakeAll wakes every parked waiter; a closed scope leaves no waiter behind", () =>
    Effect.gen(function* () {
      const waiters = yield* Waiters
      const woken = yield* Effect.scoped(
        Effect.gen(function* () {
          const all = yield* Effect.forEach([1, 2, 3], (r) => waiters.register(r))
          assert.strictEqual(yield* waiters.size, 3)
          const fibers = yield* Effect.forEach(all, (w) => Effect.fork(w.await("25 seconds")))
          yield* waiters.wakeAll
          return yield* Effect.forEach(fibers, Fiber.join)
        })
      )
      assert.deepStrictEqual(woken, [true, true, true])
      yield* Effect.scoped(waiters.register(9))
      assert.strictEqual(yield* waiters.size, 0)
    }).pipe(Effect.provide(layerInProcess))
  )
})

describe("Waiters/close", () => {
  it.effect("close wakes parked waiters and later waiters answer false at once (the relay is stopping)", () =>
    Effect.gen(function* () {
      const waiters = yield* Waiters
      const result = yield* Effect.scoped(
        Effect.gen(function* () {
          const parked = yield* waiters.register(1)
          const fiber = yield* Effect.fork(parked.await("25 seconds"))
          yield* waiters.close
          const woken = yield* Fiber.join(fiber)
          // No TestClock adjustment: a waiter registered after close must not wait out its timeout.
          const late = yield* (yield* waiters.register(1)).await("25 seconds")
          return [woken, late]
        })
      )
      assert.deepStrictEqual(result, [true, false])
    }).pipe(Effect.provide(layerInProcess))
  )
})
