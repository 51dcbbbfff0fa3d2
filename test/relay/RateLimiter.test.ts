import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { makeBuckets } from "../../src/relay/RateLimiter.js"

const rule = { name: "test sends", burst: 3, perMs: 0 }

describe("RateLimiter", () => {
  it.effect("tokens given back can be taken again, never beyond the burst", () =>
    Effect.gen(function* () {
      const limiter = yield* makeBuckets
      for (let i = 0; i < 3; i++) yield* limiter.take(rule, "a")
      const refused = yield* Effect.either(limiter.take(rule, "a"))
      assert.isTrue(Either.isLeft(refused) && refused.left._tag === "RateLimited")
      yield* limiter.giveBack(rule, "a")
      yield* limiter.take(rule, "a")
      assert.isTrue(Either.isLeft(yield* Effect.either(limiter.take(rule, "a"))))
      // Another key's bucket is untouched, and giving back to a full bucket keeps it at its burst.
      yield* limiter.giveBack(rule, "b", 10)
      for (let i = 0; i < 3; i++) yield* limiter.take(rule, "b")
      assert.isTrue(Either.isLeft(yield* Effect.either(limiter.take(rule, "b"))))
    })
  )
})
