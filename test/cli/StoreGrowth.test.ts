import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { GROWTH_WARN_AT, storeGrowthCheck } from "../../src/cli/StoreGrowth.js"
import { Store } from "../../src/services/store/Store.js"
import { memoryBridge, register } from "../bridge/support.js"

describe("doctor's store check", () => {
  it.effect("counts session records offline past gc's default and long-expired broadcasts; warns from the limit", () =>
    Effect.gen(function* () {
      for (let i = 0; i < GROWTH_WARN_AT - 1; i++) yield* register(`old-${i}`, `/work/old-${i}`)
      yield* TestClock.adjust("8 days")
      yield* register("fresh")
      const store = yield* Store
      // Named by an id made at time 0: expired by its age.
      yield* store.write("broadcasts/00000000000000000000000000.json", "{}")
      // A record that does not decode is not counted, and doctor leaves it where it is.
      yield* store.write("sessions/01F00000000000000000000000.json", "{ not json")
      const below = yield* storeGrowthCheck
      assert.deepStrictEqual(below, {
        area: "store",
        level: "ok",
        message: `${GROWTH_WARN_AT - 1} session records offline for 7 days or more, 1 long-expired broadcast`
      })
      yield* TestClock.adjust("8 days")
      const above = yield* storeGrowthCheck
      assert.strictEqual(above.level, "warn")
      assert.include(above.message, `${GROWTH_WARN_AT} session records offline for 7 days or more`)
      assert.include(above.remedy ?? "", "session-bridge gc")
      assert.deepStrictEqual(yield* store.list("quarantine"), [])
    }).pipe(Effect.provide(memoryBridge()))
  )
})
