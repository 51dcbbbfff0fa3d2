import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { DEFAULT_GC, Housekeeping } from "../../src/bridge/Housekeeping.js"
import { Store } from "../../src/services/store/Store.js"
import { cliTestLayer } from "./layers.js"

const noProgress = () => Effect.void
const planGc = Effect.flatMap(Housekeeping, (h) => h.planGc(DEFAULT_GC, noProgress))
const applyGc = (plan: Effect.Effect.Success<typeof planGc>) => Effect.flatMap(Housekeeping, (h) => h.applyGc(plan))
const lockBody = (pid: number, token: string) => JSON.stringify({ pid, token, at: 0 })

describe("gc and lock files", () => {
  it.effect("a lock taken again between the plan and the removal is left in place", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("locks/channel-x.lock", lockBody(999_999, "dead"))
      const plan = yield* planGc
      assert.deepStrictEqual(
        plan.map((r) => r.path),
        ["locks/channel-x.lock"]
      )
      // A waiting process recovers the dead holder's lock and takes it before gc gets to it.
      yield* store.remove("locks/channel-x.lock")
      yield* store.write("locks/channel-x.lock", lockBody(4242, "live"))
      yield* applyGc(plan)
      assert.strictEqual(Option.getOrNull(yield* store.readText("locks/channel-x.lock")), lockBody(4242, "live"))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a recovery's leftover claim and moved-aside lock are removed once their holders are gone", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("locks/k.lock.stale-dead", lockBody(999_998, "claimer"))
      yield* store.write("locks/k.lock.stale-dead.taken", lockBody(999_999, "dead"))
      yield* store.write("locks/j.lock.stale-gone", lockBody(4242, "busy-claimer"))
      const plan = yield* planGc
      assert.deepStrictEqual(plan.map((r) => r.path).sort(), [
        "locks/k.lock.stale-dead",
        "locks/k.lock.stale-dead.taken"
      ])
      assert.isTrue(plan.every((r) => r.reason.startsWith("left by a lock recovery")))
      yield* applyGc(plan)
      assert.deepStrictEqual(yield* store.list("locks"), ["j.lock.stale-gone"])
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
