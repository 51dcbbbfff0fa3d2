import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue, Stream, TestClock } from "effect"
import type { ListenEvent } from "../../src/relay/PgWaiters.js"
import * as PgWaiters from "../../src/relay/PgWaiters.js"
import { RelayStoreIo } from "../../src/relay/RelayErrors.js"

/**
 * A LISTEN connection driven by the test: events one at a time as pushed; "lost" fails the stream as a dropped
 * connection does, and the listener's next run reads on from the same queue (its next connection).
 */
const scripted = (queue: Queue.Queue<ListenEvent | "lost">) =>
  Stream.repeatEffect(Queue.take(queue)).pipe(
    Stream.mapEffect((event) =>
      event === "lost"
        ? Effect.fail(new RelayStoreIo({ op: "listen", cause: new Error("terminated") }))
        : Effect.succeed(event)
    )
  )

const listening = (backendPid: number): ListenEvent => ({ _tag: "Listening", backendPid })
const notified = (payload: string): ListenEvent => ({ _tag: "Notification", payload })

describe("PgWaiters", () => {
  it.scoped("a notification wakes that recipient's waiters only; a bad payload wakes nobody", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      const one = yield* waiters.register(1)
      const two = yield* waiters.register(2)
      const other = yield* Effect.fork(two.await("25 seconds"))
      yield* Queue.offerAll(events, [
        listening(11),
        notified("not-an-id"),
        notified("-2"),
        notified("1"),
        notified("1")
      ])
      assert.isTrue(yield* one.await("25 seconds"))
      yield* Effect.yieldNow()
      assert.isTrue(Option.isNone(yield* Fiber.poll(other)))
      yield* TestClock.adjust("25 seconds")
      assert.isFalse(yield* Fiber.join(other))
    })
  )

  it.scoped("after the connection drops, the re-listen wakes every waiter so each re-queries", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      yield* Queue.offer(events, listening(11))
      const parked = yield* Effect.forEach([3, 4], (r) => waiters.register(r))
      const fibers = yield* Effect.forEach(parked, (w) => Effect.fork(w.await("25 seconds")))
      // The notification for 3 was sent while no connection listened: it never arrives.
      yield* Queue.offer(events, "lost")
      yield* Effect.yieldNow()
      yield* Queue.offer(events, listening(12))
      // Still parked during the reconnect backoff (at most 10 ms on the first attempt).
      assert.isTrue(Option.isNone(yield* Fiber.poll(fibers[0]!)))
      // Step the clock so the backoff sleep passes whenever the listener reaches it (1 s in all, far below 25 s).
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(yield* Effect.forEach(fibers, Fiber.join), [true, true])
      assert.strictEqual(yield* waiters.size, 0)
    })
  )

  it.scoped("the first LISTEN wakes nobody (no waiter can have missed a notification yet)", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      const w = yield* waiters.register(5)
      const fiber = yield* Effect.fork(w.await("25 seconds"))
      yield* Queue.offer(events, listening(11))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("25 seconds")
      assert.isFalse(yield* Fiber.join(fiber))
    })
  )
})
