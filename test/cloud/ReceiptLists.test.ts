import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { pumpOnce, queued } from "../../src/cloud/Outbox.js"
import { queueReceipts } from "../../src/cloud/Receipts.js"
import type { SessionRecord } from "../../src/domain/Records.js"
import { listInbox, markRead, readMessage, sendMessage } from "../../src/mcp/tools/MessageTools.js"
import { open } from "../../src/protocol/Envelope.js"
import { RECEIPTS_MAX } from "../../src/protocol/WireSchemas.js"
import { Store } from "../../src/services/store/Store.js"
import { call } from "../bridge/support.js"
import { type Fixture, msgId, sendToBob, withBob } from "./support.js"

/* Several receipts in one envelope (inner kind "receipts", ADR-0058), to a contact whose daemon said it opens them. */

const openedForAlice = (f: Fixture) =>
  Effect.forEach(f.relay.spooled(f.alice.accountId), ({ seq: _s, from: _f, ...wire }) =>
    open(wire, { ...f.bob.contact }, f.alice.receiver)
  )

/** Alice's messages from..to, each saying (or not) that her daemon opens lists, delivered to bob's session. */
const received = (f: Fixture, me: SessionRecord, from: number, to: number, lists: boolean) =>
  Effect.gen(function* () {
    for (let i = from; i <= to; i++) yield* sendToBob(f, f.alice, i, lists ? { receiptLists: true } : {})
    yield* pollOnce(f.credentials, 0)
    return (yield* call(listInbox, me, { limit: 100 })).entries.map((e: { id: string }) => e.id) as Array<string>
  })

const takesLists = (f: Fixture) =>
  Effect.map(
    Effect.flatMap(Store, (s) => s.stat(CloudLayout.receiptLists(f.alice.accountId))),
    Option.isSome
  )

describe("receipt lists", () => {
  it.effect("to a contact that opens them, a scan's receipts are one entry and one envelope; otherwise one each", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const ids = yield* received(f, me, 1, 3, true)
        assert.isTrue(yield* takesLists(f), "her messages said so")
        yield* call(markRead, me, { ids })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 3 })
        const [entry, ...more] = yield* queued
        assert.strictEqual(more.length, 0)
        // The first item stands in `receipt`/`replyTo` too: every reader sees a receipt.
        assert.deepStrictEqual([entry!.receipt, entry!.replyTo], ["read", entry!.receipts?.[0]?.replyTo])
        assert.deepStrictEqual(entry!.receipts?.map((r) => r.replyTo).sort(), [1, 2, 3].map(msgId))
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
        const [sealed] = yield* openedForAlice(f)
        assert.strictEqual(sealed!.inner.kind, "receipts")
        assert.deepStrictEqual(
          sealed!.inner.receipts,
          entry!.receipts?.map((r) => ({ id: r.replyTo, state: "read" }))
        )
        assert.isTrue(sealed!.inner.receiptLists, "every envelope the pump seals says it opens lists")
        // Her daemon went back to a version without lists: the next message says nothing, receipts go one by one.
        const later = (yield* received(f, me, 4, 5, false)).filter((id) => !ids.includes(id))
        assert.isFalse(yield* takesLists(f))
        yield* call(markRead, me, { ids: later })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 2 })
        assert.deepStrictEqual(
          (yield* queued).map((e) => [e.receipt, e.receipts]),
          [
            ["read", undefined],
            ["read", undefined]
          ]
        )
        yield* pumpOnce(f.credentials)
        const kinds = (yield* openedForAlice(f)).slice(1).map((o) => [o.inner.kind, o.inner.replyTo, o.inner.body])
        assert.deepStrictEqual(kinds.sort(), [
          ["receipt", msgId(4), "read"],
          ["receipt", msgId(5), "read"]
        ])
      })
    )
  )

  it.effect("a list longer than RECEIPTS_MAX is split; each entry keeps its set and its id", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const ids = yield* received(f, me, 1, RECEIPTS_MAX + 2, true)
        yield* call(markRead, me, { ids })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: RECEIPTS_MAX + 2 })
        const entries = yield* queued
        assert.deepStrictEqual(
          entries.map((e) => e.receipts?.length),
          [RECEIPTS_MAX, 2]
        )
        assert.strictEqual(new Set(entries.map((e) => e.id)).size, 2)
        // Nothing is owed twice: the files record every state queued.
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 0 })
        yield* pumpOnce(f.credentials)
        const sealed = yield* openedForAlice(f)
        assert.deepStrictEqual(
          sealed.map((o) => o.inner.receipts?.map((r) => r.id)),
          entries.map((e) => e.receipts?.map((r) => r.replyTo))
        )
      })
    )
  )

  it.effect("a receipts envelope moves each message it names forward, only those sent to that contact", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const first = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "one" })
        const second = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "two" })
        yield* pumpOnce(f.credentials)
        yield* sendToBob(f, f.alice, 1, {
          kind: "receipts",
          to: { any: true },
          subject: undefined,
          receipts: [
            { id: first.messageId, state: "read" },
            { id: second.messageId, state: "surfaced" },
            { id: msgId(99), state: "read" }
          ]
        })
        const result = yield* pollOnce(f.credentials, 0)
        assert.deepStrictEqual([result.receipts, result.delivered, result.quarantined], [1, 0, 0])
        assert.strictEqual((yield* call(readMessage, me, { id: first.messageId })).delivery.state, "read")
        assert.strictEqual((yield* call(readMessage, me, { id: second.messageId })).delivery.state, "surfaced")
        assert.strictEqual((yield* call(listInbox, me, { all: true })).entries.length, 0, "never an inbox entry")
      })
    )
  )
})
