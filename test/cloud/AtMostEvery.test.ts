import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { atMostEvery } from "../../src/cloud/AtMostEvery.js"

describe("atMostEvery", () => {
  it.effect("runs the first call, then once an interval has passed on the clock, never in between", () =>
    Effect.gen(function* () {
      const every = yield* atMostEvery(1_000)
      let runs = 0
      const pass = every(Effect.sync(() => ++runs))
      assert.deepStrictEqual(yield* pass, Option.some(1))
      // A pass woken early (a write to the outbox) does not run it again.
      assert.deepStrictEqual(yield* pass, Option.none())
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(yield* pass, Option.none())
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* pass, Option.some(2))
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* pass, Option.some(3))
      assert.deepStrictEqual(yield* pass, Option.none())
      assert.strictEqual(runs, 3)
    })
  )

  it.effect("each gate keeps its own time; a failure of the work still counts as a run", () =>
    Effect.gen(function* () {
      const scan = yield* atMostEvery(1_000)
      const refresh = yield* atMostEvery(15_000)
      assert.isTrue(Option.isSome(yield* scan(Effect.void)))
      assert.isTrue(Option.isSome(yield* refresh(Effect.void)))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Option.isSome(yield* scan(Effect.void)))
      assert.isTrue(Option.isNone(yield* refresh(Effect.void)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Effect.flip(scan(Effect.fail("relay down"))), "relay down")
      assert.isTrue(Option.isNone(yield* scan(Effect.void)))
    })
  )
})
