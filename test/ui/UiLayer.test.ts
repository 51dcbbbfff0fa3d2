import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { DashboardQueries } from "../../src/bridge/DashboardQueries.js"
import { Dashboard } from "../../src/ui/Dashboard.js"
import { UiLayer } from "../../src/ui/Main.js"
import { memoryBridge, register } from "../bridge/support.js"

describe("the dashboard's composition", () => {
  it.scoped("uses the bridge services of the process that serves it, and builds no second set", () =>
    Effect.gen(function* () {
      // The CLI process's services, with its dashboard queries wrapped so that every listing through them is counted.
      const cli = yield* Layer.build(memoryBridge())
      yield* register("planner").pipe(Effect.provide(cli))
      const own = Context.get(cli, DashboardQueries)
      let listed = 0
      const counted = DashboardQueries.of({
        ...own,
        sessions: Effect.suspend(() => (listed++, own.sessions))
      })
      const ui = yield* Layer.build(UiLayer).pipe(Effect.provide(Context.add(cli, DashboardQueries, counted)))
      const sessions = yield* Effect.flatMap(Dashboard, (d) => d.sessions).pipe(Effect.provide(ui))
      assert.deepStrictEqual(
        sessions.map((s) => s.label),
        ["planner"]
      )
      assert.isAbove(listed, 0)
    })
  )
})
