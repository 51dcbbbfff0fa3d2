import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import { withBudget } from "../../src/hook/Budget.js"

/** Work with nothing to commit: its value is ready once `prepare` ends. */
const only = <A, E>(effect: Effect.Effect<A, E>) => Effect.map(effect, (a) => Effect.succeed(a))

describe("withBudget", () => {
  it.effect("returns the work's value when it finishes in time", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(withBudget(only(Effect.delay(Effect.succeed(7), "100 millis")), 1500))
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { _tag: "Done", value: 7 })
    })
  )

  it.effect("interrupts slow preparation at the budget and runs its finalizers", () =>
    Effect.gen(function* () {
      const released = yield* Ref.make(false)
      const committed = yield* Ref.make(false)
      const prepare = Effect.acquireUseRelease(
        Effect.void,
        () => Effect.delay(Effect.succeed(Ref.set(committed, true)), "10 seconds"),
        () => Ref.set(released, true)
      )
      const fiber = yield* Effect.fork(withBudget(prepare, 1500))
      yield* TestClock.adjust("1500 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { _tag: "TimedOut" })
      assert.isTrue(yield* Ref.get(released))
      yield* TestClock.adjust("1 minute")
      assert.isFalse(yield* Ref.get(committed))
    })
  )

  it.effect("a commit started before the budget ran out finishes, and its value is kept within the grace", () =>
    Effect.gen(function* () {
      const prepare = Effect.as(Effect.sleep("1450 millis"), Effect.delay(Effect.succeed("shown"), "100 millis"))
      const fiber = yield* Effect.fork(withBudget(prepare, 1500, 150))
      yield* TestClock.adjust("1550 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { _tag: "Done", value: "shown" })
    })
  )

  it.effect("a commit that outlasts the grace is left to finish; the caller gets TimedOut", () =>
    Effect.gen(function* () {
      const done = yield* Ref.make(false)
      const prepare = Effect.succeed(Effect.delay(Ref.set(done, true), "5 seconds"))
      const fiber = yield* Effect.fork(withBudget(prepare, 1500, 150))
      yield* TestClock.adjust("1650 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { _tag: "TimedOut" })
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(yield* Ref.get(done))
    })
  )

  it.effect("reports failures and defects without failing", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* withBudget(Effect.fail("boom"), 1500))._tag, "Failed")
      assert.strictEqual((yield* withBudget(only(Effect.die(new Error("bug"))), 1500))._tag, "Failed")
      assert.strictEqual((yield* withBudget(Effect.succeed(Effect.fail("commit failed")), 1500))._tag, "Failed")
    })
  )
})
