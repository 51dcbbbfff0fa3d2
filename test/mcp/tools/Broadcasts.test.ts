import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { encodeTime } from "../../../src/domain/Ulid.js"
import { Store } from "../../../src/services/store/Store.js"
import { broadcast } from "../../../src/mcp/tools/BroadcastTools.js"
import { listInbox, markRead, readMessage, sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

describe("broadcasts", () => {
  it.effect("the inbox merges live broadcasts with its copies, newest first, paged and counted", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const subjects = (page: { entries: ReadonlyArray<{ subject: string }> }) => page.entries.map((e) => e.subject)
      yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "one" })
      yield* TestClock.adjust("1 second")
      const news = yield* call(broadcast, alice, { subject: "news", ttlSec: 600 })
      yield* TestClock.adjust("1 second")
      yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "two" })
      const page = yield* call(listInbox, bob, { limit: 2 })
      assert.deepStrictEqual([subjects(page), page.unread], [["two", "news"], 3])
      yield* call(markRead, bob, { ids: [news.messageId] })
      const unread = yield* call(listInbox, bob)
      assert.deepStrictEqual([subjects(unread), unread.unread], [["two", "one"], 2])
      const all = yield* call(listInbox, bob, { all: true })
      assert.deepStrictEqual(
        all.entries.map((e: { subject: string; read: boolean }) => [e.subject, e.read]),
        [
          ["two", false],
          ["news", true],
          ["one", false]
        ]
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("fan out to every other session, with per-session read state", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const carol = yield* register("carol")
      const posted = yield* call(broadcast, alice, { subject: "deploy freeze", body: "until 5pm", ttlSec: 60 })
      assert.strictEqual(posted.expiresAt, "1970-01-01T00:01:00.000Z")
      for (const who of [bob, carol]) {
        const inbox = yield* call(listInbox, who)
        assert.deepStrictEqual(
          inbox.entries.map((e: { id: string; kind: string }) => [e.id, e.kind]),
          [[posted.messageId, "broadcast"]]
        )
      }
      assert.strictEqual((yield* call(listInbox, alice)).entries.length, 0)
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: [posted.messageId] }), { marked: 1 })
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: [posted.messageId] }), { marked: 0 })
      assert.strictEqual((yield* call(listInbox, bob)).unread, 0)
      assert.strictEqual((yield* call(listInbox, carol)).unread, 1)
      assert.strictEqual((yield* call(readMessage, carol, { id: posted.messageId })).body, "until 5pm")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("expire after ttlSec: invisible, unreadable, kept on disk for gc", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const posted = yield* call(broadcast, alice, { subject: "short", ttlSec: 5 })
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual((yield* call(listInbox, bob)).unread, 1)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* call(listInbox, bob, { all: true })).entries.length, 0)
      assert.strictEqual(yield* codeOf(call(readMessage, bob, { id: posted.messageId })), "MESSAGE_NOT_FOUND")
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: [posted.messageId] }), {
        marked: 0,
        unknown: 1
      })
      assert.deepStrictEqual(yield* (yield* Store).list("broadcasts"), [`${posted.messageId}.json`])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a broadcast file posted longer ago than the longest TTL (and a day) is not read", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const store = yield* Store
      // Named by an id made at time 0, and not JSON: reading it would quarantine it.
      yield* store.write("broadcasts/00000000000000000000000000.json", "{ not json")
      yield* TestClock.adjust("9 days")
      const fresh = yield* call(broadcast, alice, { subject: "fresh" })
      const inbox = yield* call(listInbox, bob)
      assert.deepStrictEqual(
        inbox.entries.map((e: { id: string }) => e.id),
        [fresh.messageId]
      )
      assert.deepStrictEqual(yield* store.list("quarantine"), [])
      // Just inside the window it is read (and, not being JSON, quarantined).
      yield* store.write(`broadcasts/${encodeTime(Date.parse("1970-01-03T00:00:01Z"))}0000000000000000.json`, "{ x")
      yield* call(broadcast, alice, { subject: "again" })
      yield* call(listInbox, bob)
      assert.strictEqual((yield* store.list("quarantine")).length, 1)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("ttlSec outside 1 s - 7 days and oversized bodies are refused", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      for (const ttlSec of [0, 604_801, 1.5, -3]) {
        assert.strictEqual(yield* codeOf(call(broadcast, alice, { subject: "x", ttlSec })), "INVALID_ARGUMENT")
      }
      const week = yield* call(broadcast, alice, { subject: "x", ttlSec: 604_800 })
      assert.strictEqual(week.expiresAt, "1970-01-08T00:00:00.000Z")
      const hour = yield* call(broadcast, alice, { subject: "x" })
      assert.strictEqual(hour.expiresAt, "1970-01-01T01:00:00.000Z")
      assert.strictEqual(
        yield* codeOf(call(broadcast, alice, { subject: "x", body: "y".repeat(65_537) })),
        "BODY_TOO_LARGE"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )
})
