import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Mailbox } from "../../../src/bridge/Mailbox.js"
import { MessageEnvelope } from "../../../src/domain/Records.js"
import type { MessageId } from "../../../src/domain/Ulid.js"
import { Store } from "../../../src/services/store/Store.js"
import { Layout } from "../../../src/domain/Layout.js"
import { getThread, listInbox, markRead, readMessage, sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { postArtifact } from "../../../src/mcp/tools/ArtifactTools.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

describe("messages", () => {
  it.effect("send, list, read, mark_read (idempotent)", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "plan", body: "step 1" })
      assert.strictEqual(sent.threadId, sent.messageId)
      const inbox = yield* call(listInbox, bob)
      assert.strictEqual(inbox.unread, 1)
      assert.deepStrictEqual(
        inbox.entries.map((e: { id: string; kind: string; read: boolean }) => [e.id, e.kind, e.read]),
        [[sent.messageId, "direct", false]]
      )
      assert.deepStrictEqual(inbox.entries[0].from, { sessionId: alice.sessionId, label: "alice" })
      const full = yield* call(readMessage, bob, { id: sent.messageId })
      assert.strictEqual(full.body, "step 1")
      assert.isFalse(full.read)
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: [sent.messageId] }), { marked: 1 })
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: [sent.messageId, sent.messageId] }), { marked: 0 })
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: ["01ARZ3NDEKTSV4RRFFQ69G5FAV"] }), {
        marked: 0,
        unknown: 1
      })
      assert.strictEqual((yield* call(listInbox, bob)).entries.length, 0)
      const all = yield* call(listInbox, bob, { all: true })
      assert.deepStrictEqual([all.unread, all.entries.length, all.entries[0].read], [0, 1, true])
      assert.isTrue((yield* call(readMessage, bob, { id: sent.messageId.toLowerCase() })).read)
      // The sender may read what it sent; a third session may not.
      assert.strictEqual((yield* call(readMessage, alice, { id: sent.messageId })).subject, "plan")
      const carol = yield* register("carol")
      assert.strictEqual(yield* codeOf(call(readMessage, carol, { id: sent.messageId })), "MESSAGE_NOT_FOUND")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("inbox is newest first and honours limit", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      for (const subject of ["one", "two", "three"]) yield* call(sendMessage, alice, { to: { label: "bob" }, subject })
      const inbox = yield* call(listInbox, bob, { limit: 2 })
      assert.deepStrictEqual(
        inbox.entries.map((e: { subject: string }) => e.subject),
        ["three", "two"]
      )
      assert.strictEqual(inbox.unread, 3)
      assert.strictEqual(yield* codeOf(call(listInbox, bob, { limit: 0 })), "INVALID_ARGUMENT")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("replyTo builds a thread; get_thread by threadId or messageId, oldest first", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const first = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "q" })
      const second = yield* call(sendMessage, bob, { to: { label: "alice" }, subject: "a", replyTo: first.messageId })
      const third = yield* call(sendMessage, alice, {
        to: { label: "bob" },
        subject: "thanks",
        replyTo: second.messageId
      })
      assert.strictEqual(second.threadId, first.messageId)
      assert.strictEqual(third.threadId, first.messageId)
      const byThread = yield* call(getThread, alice, { threadId: first.threadId })
      assert.deepStrictEqual(
        byThread.messages.map((m: { subject: string }) => m.subject),
        ["q", "a", "thanks"]
      )
      assert.strictEqual(byThread.messages[2].inReplyTo, second.messageId)
      const byMessage = yield* call(getThread, bob, { messageId: third.messageId })
      assert.deepStrictEqual(
        byMessage.messages.map((m: { id: string }) => m.id),
        [first.messageId, second.messageId, third.messageId]
      )
      const carol = yield* register("carol")
      assert.strictEqual(yield* codeOf(call(getThread, carol, { threadId: first.threadId })), "THREAD_NOT_FOUND")
      assert.strictEqual(yield* codeOf(call(getThread, alice, {})), "INVALID_ARGUMENT")
      assert.strictEqual(
        yield* codeOf(call(sendMessage, carol, { to: { label: "bob" }, subject: "x", replyTo: first.messageId })),
        "MESSAGE_NOT_FOUND"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("artifacts attach by sha256; unknown sha is refused", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const posted = yield* call(postArtifact, alice, { text: "diff --git", name: "fix.diff", mimeType: "text/x-diff" })
      const sent = yield* call(sendMessage, alice, {
        to: { label: "bob" },
        subject: "patch",
        artifacts: [posted.sha256]
      })
      const full = yield* call(readMessage, bob, { id: sent.messageId })
      assert.deepStrictEqual(
        full.artifacts.map((a: { sha256: string; name: string; size: number }) => [a.sha256, a.name, a.size]),
        [[posted.sha256, "fix.diff", 10]]
      )
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "x", artifacts: ["0".repeat(64)] })),
        "ARTIFACT_NOT_FOUND"
      )
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "x", artifacts: ["nope"] })),
        "INVALID_ARGUMENT"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("limits: body over 64 KiB of UTF-8, empty subject", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      // 21,846 three-byte characters = 65,538 bytes, though only 21,846 characters.
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "big", body: "€".repeat(21_846) })),
        "BODY_TOO_LARGE"
      )
      const ok = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "max", body: "x".repeat(64 * 1024) })
      assert.isString(ok.messageId)
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "  " })),
        "INVALID_ARGUMENT"
      )
      assert.strictEqual((yield* call(listInbox, bob)).unread, 1)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("backlog cap: BACKLOG_FULL to the sender, nothing dropped, room again after mark_read", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      for (let i = 0; i < 5; i++) yield* call(sendMessage, alice, { to: { label: "bob" }, subject: `m${i}` })
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "overflow" })),
        "BACKLOG_FULL"
      )
      const store = yield* Store
      assert.strictEqual((yield* store.list(Layout.inboxDir(bob.sessionId))).length, 5)
      const inbox = yield* call(listInbox, bob)
      assert.deepStrictEqual(
        inbox.entries.map((e: { subject: string }) => e.subject),
        ["m4", "m3", "m2", "m1", "m0"]
      )
      yield* call(markRead, bob, { ids: [inbox.entries[0].id] })
      const again = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "now fits" })
      assert.isTrue(Option.isSome(yield* store.stat(Layout.inboxMessage(bob.sessionId, again.messageId))))
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_MAX_BACKLOG: "5" } })))
  )

  it.effect("deliver stores a prepared (remote) envelope once, visible in the inbox and its thread", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const mailbox = yield* Mailbox
      const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "local" })
      const original = (yield* mailbox.read(bob.sessionId, sent.messageId)).envelope
      const remote = MessageEnvelope.make({
        ...original,
        id: "01J00000000000000000000001" as MessageId,
        inReplyTo: original.id,
        subject: "from afar",
        origin: "remote",
        remoteFrom: "carol@relay"
      })
      assert.isTrue(yield* mailbox.deliver(bob.sessionId, remote))
      assert.isFalse(yield* mailbox.deliver(bob.sessionId, remote))
      // The remote id is later than the local one (TestClock starts at 0): newest first in the inbox, last in the thread.
      const inbox = yield* call(listInbox, bob)
      assert.deepStrictEqual(
        inbox.entries.map((e: { subject: string; origin?: string }) => [e.subject, e.origin]),
        [
          ["from afar", "remote"],
          ["local", undefined]
        ]
      )
      const thread = yield* call(getThread, bob, { messageId: remote.id })
      assert.deepStrictEqual(
        thread.messages.map((m: { subject: string }) => m.subject),
        ["local", "from afar"]
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("mark_read counts repeated ids once, answers counts not ids, and takes at most 1000 ids", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "once" })
      const repeated = Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0 ? sent.messageId : "01ARZ3NDEKTSV4RRFFQ69G5FAV"
      )
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: repeated }), { marked: 1, unknown: 1 })
      const lower = ["../../x", "nope", "NOPE ", sent.messageId.toLowerCase()]
      assert.deepStrictEqual(yield* call(markRead, bob, { ids: lower }), { marked: 0, unknown: 2 })
      const tooMany = Array.from({ length: 100_000 }, () => sent.messageId)
      assert.strictEqual(yield* codeOf((yield* Mailbox).markRead(bob.sessionId, tooMany)), "INVALID_ARGUMENT")
      assert.strictEqual(
        yield* codeOf((yield* Mailbox).markRead(bob.sessionId, tooMany.slice(0, 1001))),
        "INVALID_ARGUMENT"
      )
      assert.strictEqual((yield* call(listInbox, bob, { all: true })).entries.length, 1)
    }).pipe(Effect.provide(memoryBridge()))
  )
})
