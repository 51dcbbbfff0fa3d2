import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Surfacing } from "../../src/bridge/Surfacing.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { pumpOnce, queued } from "../../src/cloud/Outbox.js"
import { makeReceiptGate, MAX_WAIT_MS } from "../../src/cloud/ReceiptGate.js"
import { makeReceiptQueue, queueReceipts } from "../../src/cloud/Receipts.js"
import type { SessionRecord } from "../../src/domain/Records.js"
import type { SessionId } from "../../src/domain/Ulid.js"
import { listInbox, markRead, sendMessage } from "../../src/mcp/tools/MessageTools.js"
import { open } from "../../src/protocol/Envelope.js"
import { Store } from "../../src/services/store/Store.js"
import { call, register } from "../bridge/support.js"
import { type Fixture, msgId, sendToBob, withBob } from "./support.js"

/* The daemon's receipt queue (only markers that appeared since its last pass) and the order of the pump's work. */

const openedForAlice = (f: Fixture) =>
  Effect.forEach(f.relay.spooled(f.alice.accountId), ({ seq: _s, from: _f, ...wire }) =>
    open(wire, { ...f.bob.contact }, f.alice.receiver)
  )

/** Alice's messages 1..n delivered to bob's session; their local ids, oldest first. */
const received = (f: Fixture, me: SessionRecord, n: number) =>
  Effect.gen(function* () {
    for (let i = 1; i <= n; i++) yield* sendToBob(f, f.alice, i)
    yield* pollOnce(f.credentials, 0)
    return (yield* call(listInbox, me)).entries.map((e: { id: string }) => e.id) as Array<string>
  })

const setAlice = (state: "active" | "pending") =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    yield* home.writeContacts((yield* home.contacts).map((c) => (c.handle === "alice" ? { ...c, state } : c)))
  })

describe("the daemon's receipt queue", () => {
  it.effect("looks only at new markers; a restarted queue owes nothing the files say was sent", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const [first, second] = yield* received(f, me, 2)
        const queue = yield* makeReceiptQueue()
        yield* call(markRead, me, { ids: [first] })
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 1 })
        // Remembered, not re-read: with the file gone this queue still owes nothing for `first`.
        yield* (yield* Store).remove(CloudLayout.receipt(first!))
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 })
        yield* (yield* Store).write(CloudLayout.receipt(first!), "read\n")
        // A restart (a new queue) looks at every marker and goes by the files.
        const restarted = yield* makeReceiptQueue()
        assert.deepStrictEqual(yield* restarted, { surfaced: 0, read: 0 })
        yield* (yield* Surfacing).markSurfaced(me.sessionId as SessionId, [second!])
        assert.deepStrictEqual(yield* restarted, { surfaced: 1, read: 0 })
        yield* call(markRead, me, { ids: [second] })
        assert.deepStrictEqual(yield* restarted, { surfaced: 0, read: 1 })
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 }, "the other queue finds the files ahead")
        assert.strictEqual((yield* queued).length, 3)
      })
    )
  )

  it.effect("a marker on a message from a contact not active now is looked at again, and owed once active", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const [first] = yield* received(f, me, 1)
        const queue = yield* makeReceiptQueue()
        yield* setAlice("pending")
        yield* call(markRead, me, { ids: [first] })
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 })
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 })
        yield* setAlice("active")
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 1 })
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 })
      })
    )
  )

  it.effect("a marker on a local message or on no message at all is never a receipt", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        yield* received(f, me, 1)
        const peer = yield* register("peer")
        const local = yield* call(sendMessage, peer, { to: { label: "backend" }, subject: "local" })
        const queue = yield* makeReceiptQueue()
        yield* call(markRead, me, { ids: [local.messageId] })
        yield* (yield* Store).write(`state/${me.sessionId}/read/${msgId(77)}`, "")
        yield* (yield* Store).write(`state/${me.sessionId}/read/not-an-id`, "")
        assert.deepStrictEqual(yield* queue, { surfaced: 0, read: 0 })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 0 })
      })
    )
  )
})

describe("the pump's order", () => {
  it.effect("sends messages before receipts, and starts no receipt once a message is queued meanwhile", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const ids = yield* received(f, me, 3)
        yield* call(markRead, me, { ids })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 3 })
        yield* TestClock.adjust("1 second")
        const first = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "first" })
        let before = 0
        // The gate's place: the second receipt's wait sees a session queue a message.
        const context = yield* Effect.context<any>()
        const hook = Effect.gen(function* () {
          before++
          if (before === 2) yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "late" })
        }).pipe(Effect.orDie, Effect.provide(context)) as Effect.Effect<void>
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, undefined, hook), { stored: 2, refused: 0, retrying: 0 })
        const kinds = (yield* openedForAlice(f)).map((o) => [o.inner.kind, o.inner.subject ?? ""])
        assert.deepStrictEqual(kinds, [
          ["message", "first"],
          ["receipt", ""]
        ])
        assert.strictEqual(first.messageId.length, 26)
        // The next pass: the late message first, then the two receipts left.
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, undefined, hook), { stored: 3, refused: 0, retrying: 0 })
        const next = (yield* openedForAlice(f)).slice(2).map((o) => [o.inner.kind, o.inner.subject ?? ""])
        assert.deepStrictEqual(next, [
          ["message", "late"],
          ["receipt", ""],
          ["receipt", ""]
        ])
      })
    )
  )
})

describe("the receipt gate", () => {
  it.effect("holds receipt work while message work runs, at most MAX_WAIT_MS", () =>
    Effect.gen(function* () {
      const gate = yield* makeReceiptGate
      // Nothing running: clear at once.
      yield* gate.clear
      const running = yield* Effect.fork(gate.during(Effect.sleep("100 millis")))
      yield* Effect.yieldNow()
      const waiting = yield* Effect.fork(gate.clear)
      yield* TestClock.adjust("50 millis")
      assert.isNull(yield* Fiber.poll(waiting).pipe(Effect.map((o) => (o._tag === "Some" ? "done" : null))))
      yield* TestClock.adjust("60 millis")
      yield* Fiber.join(waiting)
      yield* Fiber.join(running)
      // Message work that outlasts the cap does not starve receipts.
      const long = yield* Effect.fork(gate.during(Effect.sleep("10 seconds")))
      yield* Effect.yieldNow()
      const capped = yield* Effect.fork(gate.clear)
      yield* TestClock.adjust(`${MAX_WAIT_MS + 10} millis`)
      yield* Fiber.join(capped)
      yield* Fiber.interrupt(long)
    })
  )
})
