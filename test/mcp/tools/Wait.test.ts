import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Surfacing } from "../../../src/bridge/Surfacing.js"
import { broadcast } from "../../../src/mcp/tools/BroadcastTools.js"
import { markRead, sendMessage, waitForMessage } from "../../../src/mcp/tools/MessageTools.js"
import { Layout } from "../../../src/domain/Layout.js"
import { Store } from "../../../src/services/store/Store.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

/** Lets a forked fiber run until it blocks. */
const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("wait_for_message", () => {
  it.effect("is woken by a send (the clock never moves, so only the store's watch can wake it)", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const waiting = yield* Effect.fork(call(waitForMessage, bob, { timeoutSec: 300 }))
      yield* settle
      assert.isNull(waiting.unsafePoll())
      const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "wake up" })
      const result = yield* Fiber.join(waiting)
      assert.isFalse(result.timedOut)
      assert.strictEqual(result.message.id, sent.messageId)
      assert.strictEqual(result.message.subject, "wake up")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("is woken by a broadcast", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const waiting = yield* Effect.fork(call(waitForMessage, bob, {}))
      yield* settle
      const posted = yield* call(broadcast, alice, { subject: "all hands" })
      assert.strictEqual((yield* Fiber.join(waiting)).message.id, posted.messageId)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("returns a waiting message at once, each message only once, then times out", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "early" })
      assert.strictEqual((yield* call(waitForMessage, bob, { timeoutSec: 0 })).message.id, sent.messageId)
      assert.deepStrictEqual(yield* call(waitForMessage, bob, { timeoutSec: 0 }), { timedOut: true })
      const waiting = yield* Effect.fork(call(waitForMessage, bob, { timeoutSec: 5 }))
      yield* TestClock.adjust("4999 millis")
      assert.isNull(waiting.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Fiber.join(waiting), { timedOut: true })
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("hands out the oldest waiting message, reading no further; one that does not decode is passed over", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const store = yield* Store
      // The oldest waiting copy is not JSON (the smallest ULID); the newest is not JSON either.
      yield* store.write(Layout.inboxMessage(bob.sessionId, "00000000000000000000000000"), "{ not json")
      const sent = []
      for (const subject of ["one", "two"]) {
        yield* TestClock.adjust("1 millis")
        sent.push(yield* call(sendMessage, alice, { to: { label: "bob" }, subject }))
      }
      yield* store.write(Layout.inboxMessage(bob.sessionId, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"), "{ not json")
      assert.strictEqual((yield* call(waitForMessage, bob, { timeoutSec: 0 })).message.id, sent[0]!.messageId)
      // Only the oldest was read (and quarantined) on the way: the newest has not been read yet.
      assert.strictEqual((yield* store.list("quarantine")).length, 1)
      assert.strictEqual((yield* call(waitForMessage, bob, { timeoutSec: 0 })).message.id, sent[1]!.messageId)
      assert.deepStrictEqual(yield* call(waitForMessage, bob, { timeoutSec: 0 }), { timedOut: true })
      assert.strictEqual((yield* store.list("quarantine")).length, 2)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("timeoutSec outside 0-300 is INVALID_ARGUMENT", () =>
    Effect.gen(function* () {
      const bob = yield* register("bob")
      for (const timeoutSec of [-1, 301, Number.NaN]) {
        assert.strictEqual(yield* codeOf(call(waitForMessage, bob, { timeoutSec })), "INVALID_ARGUMENT")
      }
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("unsurfaced / markSurfaced (the prompt hook's view)", () => {
  it.effect(
    "unread, not yet surfaced inbox entries and live broadcasts, oldest first; each surfaced at most once",
    () =>
      Effect.gen(function* () {
        const surfacing = yield* Surfacing
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const first = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "one" })
        yield* TestClock.adjust("1 millis")
        const cast = yield* call(broadcast, alice, { subject: "two" })
        yield* TestClock.adjust("1 millis")
        const third = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "three" })
        yield* call(markRead, bob, { ids: [third.messageId] })
        const { entries: pending, waiting } = yield* surfacing.unsurfaced(bob.sessionId)
        assert.deepStrictEqual(
          pending.map((e) => e.id),
          [first.messageId, cast.messageId]
        )
        assert.strictEqual(waiting, 2)
        // With a limit only the oldest are read; all still count as waiting.
        const oldest = yield* surfacing.unsurfaced(bob.sessionId, 1)
        assert.deepStrictEqual([oldest.entries.map((e) => e.id), oldest.waiting], [[first.messageId], 2])
        // Two concurrent hook runs race for the same entries: every id is won exactly once.
        const [x, y] = yield* Effect.all(
          [
            surfacing.markSurfaced(
              bob.sessionId,
              pending.map((e) => e.id)
            ),
            surfacing.markSurfaced(
              bob.sessionId,
              pending.map((e) => e.id)
            )
          ],
          { concurrency: 2 }
        )
        assert.deepStrictEqual([...x, ...y].sort(), [first.messageId, cast.messageId].sort())
        assert.deepStrictEqual(yield* surfacing.markSurfaced(bob.sessionId, [first.messageId]), [])
        assert.deepStrictEqual(yield* surfacing.unsurfaced(bob.sessionId), { entries: [], waiting: 0 })
        // Alice does not see her own broadcast.
        assert.deepStrictEqual(yield* surfacing.unsurfaced(alice.sessionId), { entries: [], waiting: 0 })
      }).pipe(Effect.provide(memoryBridge()))
  )
})
