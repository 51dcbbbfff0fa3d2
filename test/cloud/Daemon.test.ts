import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Logger, Queue, TestClock } from "effect"
import { RelayAuth, RelayUnreachable } from "../../src/cloud/CloudErrors.js"
import { loop, makeLink } from "../../src/cloud/Daemon.js"

/** Runs `loop` over a scripted sequence of step outcomes and records the log lines it writes. */
const scripted = (outcomes: ReadonlyArray<"ok" | "down" | "auth">) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const logger = Logger.make(({ message }) => void lines.push(String(Array.isArray(message) ? message[0] : message)))
    const link = yield* makeLink
    let i = 0
    const step = Effect.suspend((): Effect.Effect<void, RelayUnreachable | RelayAuth> => {
      const next = outcomes[i++] ?? "ok"
      if (next === "down") return Effect.fail(new RelayUnreachable({ detail: "connect ECONNREFUSED" }))
      if (next === "auth") return Effect.fail(new RelayAuth({ detail: "RELAY_AUTH: revoked" }))
      return link.ok
    })
    const fiber = yield* Effect.fork(
      loop("test", link, step, Effect.succeed(1_000)).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    )
    for (let n = 0; n < 10; n++) yield* TestClock.adjust("30 seconds")
    return { lines, fiber, steps: () => i }
  })

describe("daemon loops", () => {
  it.effect("a relay outage is logged once when it starts and once when it ends, however many retries", () =>
    Effect.gen(function* () {
      const { lines, fiber, steps } = yield* scripted([
        "down",
        "down",
        "down",
        "down",
        "ok",
        "ok",
        "down",
        "down",
        "ok"
      ])
      assert.isAtLeast(steps(), 9, "it kept retrying")
      assert.deepStrictEqual(
        lines.filter((l) => l.startsWith("relay_")),
        ["relay_unreachable", "relay_reachable", "relay_unreachable", "relay_reachable"]
      )
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("RELAY_AUTH ends the loop with that failure instead of retrying", () =>
    Effect.gen(function* () {
      const { fiber, steps } = yield* scripted(["down", "auth", "ok"])
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.include(JSON.stringify(exit), "RelayAuth")
      assert.strictEqual(steps(), 2)
    })
  )

  it.effect("a wake-up ends the pause at once; without one the next step waits the whole interval", () =>
    Effect.gen(function* () {
      const link = yield* makeLink
      const wake = yield* Queue.sliding<void>(1)
      let steps = 0
      const fiber = yield* Effect.fork(
        loop(
          "test",
          link,
          Effect.sync(() => void steps++),
          Effect.succeed(60_000),
          Queue.take(wake)
        )
      )
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(steps, 1)
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(steps, 1, "no wake-up: still pausing")
      yield* Queue.offer(wake, undefined)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(steps, 2, "woken before the interval ended")
      yield* TestClock.adjust("60 seconds")
      assert.strictEqual(steps, 3, "the interval still applies")
      yield* Fiber.interrupt(fiber)
    })
  )
})
