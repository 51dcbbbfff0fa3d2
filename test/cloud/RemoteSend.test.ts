import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema, TestClock } from "effect"
import { Surfacing } from "../../src/bridge/Surfacing.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { OutboxEntry } from "../../src/cloud/CloudState.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { pumpOnce, queued } from "../../src/cloud/Outbox.js"
import { applyReceipt, queueReceipts } from "../../src/cloud/Receipts.js"
import { DEFAULT_GC, Housekeeping } from "../../src/bridge/Housekeeping.js"
import { refreshSent } from "../../src/cloud/SentStates.js"
import type { SessionId } from "../../src/domain/Ulid.js"
import { postArtifact } from "../../src/mcp/tools/ArtifactTools.js"
import { listSessions } from "../../src/mcp/tools/SessionTools.js"
import { writePresence } from "../../src/cloud/PresenceCache.js"
import { getThread, listInbox, markRead, readMessage, sendMessage } from "../../src/mcp/tools/MessageTools.js"
import { decryptArtifact } from "../../src/protocol/ArtifactCipher.js"
import { networkDown } from "../support/FakeRelay.js"
import { open } from "../../src/protocol/Envelope.js"
import { Store } from "../../src/services/store/Store.js"
import { call, codeOf, memoryBridge, register } from "../bridge/support.js"
import { type Fixture, msgId, sendToBob, T0, withBob } from "./support.js"

/* Bob's side of remote sends: the tool queues, the pump carries (artifacts first), receipts come back. */

const entryAt = (path: string) =>
  Effect.map(
    Effect.flatMap(Store, (s) => s.readText(path)),
    (t) => Schema.decodeUnknownSync(Schema.parseJson(OutboxEntry))(Option.getOrThrow(t))
  )

/** What the relay spools for alice, opened with her keys. */
const openedForAlice = (f: Fixture) =>
  Effect.forEach(f.relay.spooled(f.alice.accountId), ({ seq: _s, from: _f, ...wire }) =>
    open(wire, { ...f.bob.contact }, f.alice.receiver)
  )

describe("a send to a contact", () => {
  it.effect("is checked, stored as the sender's copy and queued with its artifacts; the pump uploads them", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const posted = yield* call(postArtifact, me, {
          text: "diff --git a b",
          name: "fix.diff",
          mimeType: "text/x-diff"
        })
        const sent = yield* call(sendMessage, me, {
          to: { contact: "alice", label: "api" },
          subject: "schema",
          body: "is id a ULID?",
          artifacts: [posted.sha256]
        })
        assert.strictEqual(sent.delivery.state, "queued")
        assert.deepStrictEqual(
          sent.recipients.map((r: { label: string; contact: string }) => [r.label, r.contact]),
          [["api", "alice"]]
        )
        const entry = yield* entryAt(CloudLayout.outbox(sent.messageId))
        assert.deepStrictEqual(
          [entry.contact, entry.to, entry.subject, entry.body, entry.state, entry.fromSession],
          ["alice", { label: "api" }, "schema", "is id a ULID?", "queued", { label: "backend", cli: "claude-code" }]
        )
        assert.deepStrictEqual(entry.artifacts, [
          { sha256: posted.sha256, size: 14, name: "fix.diff", mime: "text/x-diff" }
        ])
        // The sender reads its own copy, with the delivery state.
        const mine = yield* call(readMessage, me, { id: sent.messageId })
        assert.strictEqual(mine.delivery.state, "queued")
        assert.strictEqual(mine.to[0].contact, "alice")

        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual((yield* call(readMessage, me, { id: sent.messageId })).delivery.state, "stored")
        const [opened] = yield* openedForAlice(f)
        const ref = opened!.inner.artifacts![0]!
        assert.deepStrictEqual(
          [ref.sha256, ref.size, ref.name, ref.mime],
          [posted.sha256, 14, "fix.diff", "text/x-diff"]
        )
        assert.notStrictEqual(ref.blob, posted.sha256, "the relay never sees the plaintext hash")
        const blob = yield* f.relay.client.getBlob("alice-token-xxxxxxxxxxxxxxxx", ref.blob)
        const plain = yield* decryptArtifact(blob, ref.key, ref.sha256)
        assert.strictEqual(new TextDecoder().decode(plain), "diff --git a b")
        const asBob = yield* Effect.either(f.relay.client.getBlob("bob-token-xxxxxxxxxxxxxxxxxx", ref.blob))
        assert.isTrue(asBob._tag === "Left", "the blob is granted to alice alone")
      })
    )
  )

  it.effect("a retried send uploads its artifacts again under the keys kept with the entry: the same blobs", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const posted = yield* call(postArtifact, me, { text: "diff --git a b", name: "fix.diff" })
        const other = yield* call(postArtifact, me, { text: "second file", name: "notes.txt" })
        const sent = yield* call(sendMessage, me, {
          to: { contact: "alice" },
          subject: "two files",
          artifacts: [posted.sha256, other.sha256]
        })
        f.relay.fail("send", networkDown())
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 1 })
        const uploaded = f.relay.blobIds()
        assert.strictEqual(uploaded.length, 2, "both artifacts went up before the send failed")
        const kept = yield* entryAt(CloudLayout.outbox(sent.messageId))
        assert.isTrue(
          kept.artifacts!.every((a) => a.key?.length === 32),
          "each key kept with the entry"
        )
        yield* TestClock.adjust("60 seconds")
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
        assert.deepStrictEqual(f.relay.blobIds(), uploaded, "the retry put the same two blobs, no new one")
        const [opened] = yield* openedForAlice(f)
        assert.deepStrictEqual(
          opened!.inner.artifacts!.map((r) => r.blob),
          uploaded
        )
        for (const ref of opened!.inner.artifacts!) {
          const blob = yield* f.relay.client.getBlob("alice-token-xxxxxxxxxxxxxxxx", ref.blob)
          assert.strictEqual((yield* decryptArtifact(blob, ref.key, ref.sha256)).length, ref.size)
        }
      })
    )
  )

  it.effect("an outbox entry whose artifact key is not 32 bytes is left alone, not encrypted under it", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const posted = yield* call(postArtifact, me, { text: "diff", name: "fix.diff" })
        const sent = yield* call(sendMessage, me, {
          to: { contact: "alice" },
          subject: "s",
          artifacts: [posted.sha256]
        })
        const path = CloudLayout.outbox(sent.messageId)
        const store = yield* Store
        const raw = JSON.parse(Option.getOrThrow(yield* store.readText(path)))
        raw.artifacts[0].key = "AAAAAAA"
        yield* store.write(path, JSON.stringify(raw))
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 0 })
        assert.deepStrictEqual(f.relay.blobIds(), [])
        assert.isTrue(Option.isSome(yield* store.readText(path)), "the entry is kept as it was")
      })
    )
  )

  it.effect("is refused with a clear code for an unknown, pending or revoked contact; nothing is written", () =>
    withBob((_f, me) =>
      Effect.gen(function* () {
        const home = yield* CloudHome
        const contacts = yield* home.contacts
        yield* home.writeContacts([...contacts, { ...contacts[0]!, handle: "dave" as never, state: "pending" }])
        const send = (contact: string) => codeOf(call(sendMessage, me, { to: { contact }, subject: "hi" }))
        assert.strictEqual(yield* send("carol"), "CONTACT_REVOKED")
        assert.strictEqual(yield* send("zed"), "NOT_A_CONTACT")
        assert.strictEqual(yield* send("dave"), "NOT_A_CONTACT")
        assert.strictEqual(
          yield* codeOf(call(sendMessage, me, { to: { contact: "alice", cwd: "/x" }, subject: "hi" })),
          "INVALID_ARGUMENT"
        )
        assert.strictEqual(
          yield* codeOf(call(sendMessage, me, { to: { contact: "alice", label: "api\u202eevil" }, subject: "hi" })),
          "INVALID_NAME"
        )
        assert.strictEqual(
          yield* codeOf(
            call(sendMessage, me, { to: { contact: "alice" }, subject: "hi", artifacts: ["ab".repeat(32)] })
          ),
          "ARTIFACT_NOT_FOUND"
        )
        const store = yield* Store
        assert.deepStrictEqual(yield* store.list(CloudLayout.outboxDir), [])
        assert.deepStrictEqual(yield* store.list(`remote-sent/${me.sessionId}`), [])
      })
    )
  )

  it.effect("without a cloud account is CLOUD_NOT_CONFIGURED; local sends are unchanged", () =>
    Effect.gen(function* () {
      const me = yield* register("backend")
      yield* register("peer")
      assert.strictEqual(
        yield* codeOf(call(sendMessage, me, { to: { contact: "alice" }, subject: "hi" })),
        "CLOUD_NOT_CONFIGURED"
      )
      const local = yield* call(sendMessage, me, { to: { label: "peer" }, subject: "hi" })
      assert.isUndefined(local.delivery)
      assert.strictEqual((yield* call(readMessage, me, { id: local.messageId })).delivery.state, "delivered")
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("guardrails on remote sends", () => {
  it.effect("30 per minute per session, then RATE_LIMITED with a retry time; a minute later it passes", () =>
    withBob((_f, me) =>
      Effect.gen(function* () {
        for (let i = 0; i < 30; i++) yield* call(sendMessage, me, { to: { contact: "alice" }, subject: `n${i}` })
        const refused = yield* Effect.flip(call(sendMessage, me, { to: { contact: "alice" }, subject: "one more" }))
        assert.strictEqual(refused.code, "RATE_LIMITED")
        assert.match(refused.message, /Retry after 60 s/)
        assert.strictEqual(refused._tag, "RemoteRateLimited")
        assert.strictEqual((yield* queued).length, 30, "the refused one is not queued")
        yield* TestClock.adjust("60 seconds")
        yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "later" })
      })
    )
  )

  it.effect("SESSION_BRIDGE_REMOTE_RATE=off lifts the limit", () =>
    withBob(
      (_f, me) =>
        Effect.gen(function* () {
          for (let i = 0; i < 35; i++) yield* call(sendMessage, me, { to: { contact: "alice" }, subject: `n${i}` })
          assert.strictEqual((yield* queued).length, 35)
        }),
      { SESSION_BRIDGE_REMOTE_RATE: "off" }
    )
  )

  it.effect("local sends are never limited", () =>
    withBob((_f, me) =>
      Effect.gen(function* () {
        yield* register("peer")
        for (let i = 0; i < 35; i++) yield* call(sendMessage, me, { to: { label: "peer" }, subject: `n${i}` })
      })
    )
  )
})

describe("replies and threads across machines", () => {
  it.effect("a reply to a contact's message goes back to it (its session, its id); 2 per 10 s", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        yield* sendToBob(f, f.alice, 1, { subject: "question" })
        assert.strictEqual((yield* pollOnce(f.credentials, 0)).delivered, 1)
        yield* TestClock.adjust("1 second")
        const [inbound] = (yield* call(listInbox, me)).entries
        assert.strictEqual(inbound.from.contact, "alice")
        const reply = yield* call(sendMessage, me, { to: {}, subject: "answer", replyTo: inbound.id })
        assert.strictEqual(reply.threadId, inbound.threadId)
        const entry = yield* entryAt(CloudLayout.outbox(reply.messageId))
        assert.deepStrictEqual([entry.contact, entry.to, entry.replyTo], ["alice", { label: "api" }, msgId(1)])
        // A label names the session of the reply; a local address does not go with a remote replyTo.
        const second = yield* call(sendMessage, me, { to: { label: "web" }, subject: "more", replyTo: inbound.id })
        assert.deepStrictEqual((yield* entryAt(CloudLayout.outbox(second.messageId))).to, { label: "web" })
        assert.strictEqual(
          yield* codeOf(call(sendMessage, me, { to: {}, subject: "third", replyTo: inbound.id })),
          "RATE_LIMITED"
        )
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(
          yield* codeOf(call(sendMessage, me, { to: { cwd: "/x" }, subject: "x", replyTo: inbound.id })),
          "INVALID_ARGUMENT"
        )
        yield* call(sendMessage, me, { to: {}, subject: "third, later", replyTo: inbound.id })
        // The thread holds the contact's message and the replies, and shows the replies' delivery to their sender.
        const thread = yield* call(getThread, me, { messageId: inbound.id })
        assert.deepStrictEqual(
          thread.messages.map((m: { subject: string; delivery?: { state: string } }) => [m.subject, m.delivery?.state]),
          [
            ["question", undefined],
            ["answer", "queued"],
            ["more", "queued"],
            ["third, later", "queued"]
          ]
        )
      })
    )
  )

  it.effect("a contact's reply to a message sent to it joins that thread; one to another thread does not", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const sent = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "ping" })
        yield* TestClock.adjust("1 second")
        const other = yield* register("other")
        yield* register("peer")
        const local = yield* call(sendMessage, other, { to: { label: "peer" }, subject: "private" })
        yield* sendToBob(f, f.alice, 1, { subject: "pong", replyTo: sent.messageId, ts: T0 + 1000 })
        yield* sendToBob(f, f.alice, 2, { subject: "sneaky", replyTo: local.messageId, ts: T0 + 1000 })
        assert.strictEqual((yield* pollOnce(f.credentials, 0)).delivered, 2)
        const thread = yield* call(getThread, me, { messageId: sent.messageId })
        assert.deepStrictEqual(
          thread.messages.map((m: { subject: string }) => m.subject),
          ["ping", "pong"]
        )
        assert.strictEqual(thread.messages[1].inReplyTo, sent.messageId)
        const sneaky = (yield* call(listInbox, me)).entries.find((e: { subject: string }) => e.subject === "sneaky")
        assert.strictEqual(sneaky.threadId, sneaky.id)
      })
    )
  )
})

describe("receipts", () => {
  it.effect("surfaced and read on the receiving side are queued once each, sealed as receipts", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        yield* sendToBob(f, f.alice, 1)
        yield* pollOnce(f.credentials, 0)
        const [inbound] = (yield* call(listInbox, me)).entries
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 0 })
        yield* (yield* Surfacing).markSurfaced(me.sessionId as SessionId, [inbound.id])
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 1, read: 0 })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 0 })
        yield* call(markRead, me, { ids: [inbound.id] })
        assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 1 })
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 2, refused: 0, retrying: 0 })
        const opened = yield* openedForAlice(f)
        assert.deepStrictEqual(
          opened.map((o) => [o.inner.kind, o.inner.replyTo, o.inner.body]),
          [
            ["receipt", msgId(1), "surfaced"],
            ["receipt", msgId(1), "read"]
          ]
        )
        assert.deepStrictEqual(yield* (yield* Store).list(CloudLayout.sentDir), [], "receipts leave nothing in sent/")
      })
    )
  )

  it.effect("a receipt from the contact moves the sender's delivery state forward, never back", () =>
    withBob((f, me) =>
      Effect.gen(function* () {
        const sent = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "ping" })
        yield* pumpOnce(f.credentials)
        const receipt = (n: number, state: string, replyTo = sent.messageId) =>
          sendToBob(f, f.alice, n, { kind: "receipt", to: { any: true }, replyTo, body: state, subject: undefined })
        yield* receipt(1, "read")
        yield* receipt(2, "surfaced")
        yield* receipt(3, "read", msgId(99))
        const result = yield* pollOnce(f.credentials, 0)
        assert.deepStrictEqual([result.receipts, result.delivered], [3, 0])
        const detail = yield* call(readMessage, me, { id: sent.messageId })
        assert.strictEqual(detail.delivery.state, "read")
        assert.strictEqual((yield* call(listInbox, me, { all: true })).entries.length, 0, "never an inbox entry")
        // Only the contact the message went to can report on it.
        const again = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "again" })
        yield* pumpOnce(f.credentials)
        const alice = (yield* (yield* CloudHome).contacts).find((c) => c.handle === "alice")!
        const other = { ...alice, handle: "dave" as never }
        assert.isFalse(yield* applyReceipt(other, again.messageId, "read"))
        assert.isFalse(yield* applyReceipt(alice, again.messageId, "seen"))
        assert.isTrue(yield* applyReceipt(alice, again.messageId, "surfaced"))
        assert.strictEqual((yield* call(readMessage, me, { id: again.messageId })).delivery.state, "surfaced")
      })
    )
  )
})

describe("relay-level delivery states", () => {
  it.effect(
    "stored becomes delivered once the contact's daemon acked, expired or refused:revoked as the relay says",
    () =>
      withBob((f, me) =>
        Effect.gen(function* () {
          const send = (subject: string) => call(sendMessage, me, { to: { contact: "alice" }, subject })
          const [a, b, c] = [yield* send("a"), yield* send("b"), yield* send("c")]
          yield* pumpOnce(f.credentials)
          const state = (id: string) =>
            Effect.map(call(readMessage, me, { id }), (m) => [m.delivery.state, m.delivery.reason])
          assert.deepStrictEqual(yield* refreshSent(f.credentials), { asked: 3, changed: 0 })
          yield* f.relay.client.ack("alice-token-xxxxxxxxxxxxxxxx", 1)
          f.relay.setSentState(f.bob.accountId, b.messageId, "expired")
          f.relay.setSentState(f.bob.accountId, c.messageId, "refused", "revoked")
          assert.deepStrictEqual(yield* refreshSent(f.credentials), { asked: 3, changed: 3 })
          assert.deepStrictEqual(yield* state(a.messageId), ["delivered", undefined])
          assert.deepStrictEqual(yield* state(b.messageId), ["expired", undefined])
          assert.deepStrictEqual(yield* state(c.messageId), ["refused", "revoked"])
          assert.deepStrictEqual(
            yield* refreshSent(f.credentials),
            { asked: 0, changed: 0 },
            "only stored ones are asked"
          )
        })
      )
  )

  it.effect(
    "a daemon's refresher does not read again an entry it found past stored; a removed one leaves its set",
    () =>
      withBob((f, me) =>
        Effect.gen(function* () {
          const store = yield* Store
          const a = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "a" })
          const b = yield* call(sendMessage, me, { to: { contact: "alice" }, subject: "b" })
          yield* pumpOnce(f.credentials)
          const settled = new Set<string>()
          assert.deepStrictEqual(yield* refreshSent(f.credentials, 50, settled), { asked: 2, changed: 0 })
          assert.strictEqual(settled.size, 0, "stored entries are asked again next round")
          yield* f.relay.client.ack("alice-token-xxxxxxxxxxxxxxxx", 1)
          assert.deepStrictEqual(yield* refreshSent(f.credentials, 50, settled), { asked: 2, changed: 1 })
          const pathOf = (id: string) => CloudLayout.sent(id)
          assert.deepStrictEqual([...settled], [pathOf(a.messageId).split("/").pop()])
          // Written back as stored behind its back: only a fresh refresher reads it again.
          const delivered = yield* entryAt(pathOf(a.messageId))
          const stored = yield* Schema.encode(OutboxEntry)({ ...delivered, state: "stored" })
          yield* store.write(pathOf(a.messageId), JSON.stringify(stored))
          assert.deepStrictEqual(yield* refreshSent(f.credentials, 50, settled), { asked: 1, changed: 0 })
          assert.deepStrictEqual(yield* refreshSent(f.credentials), { asked: 2, changed: 1 })
          yield* store.remove(pathOf(a.messageId))
          yield* store.remove(pathOf(b.messageId))
          assert.deepStrictEqual(yield* refreshSent(f.credentials, 50, settled), { asked: 0, changed: 0 })
          assert.strictEqual(settled.size, 0)
        })
      )
  )
})

describe("housekeeping of messages to contacts", () => {
  it.effect("gc keeps an artifact a queued message to a contact carries; inspect finds the copy and its state", () =>
    withBob((_f, me) =>
      Effect.gen(function* () {
        const posted = yield* call(postArtifact, me, { text: "for alice", name: "a.txt" })
        const sent = yield* call(sendMessage, me, {
          to: { contact: "alice" },
          subject: "file",
          artifacts: [posted.sha256]
        })
        yield* TestClock.adjust("2 days")
        const housekeeping = yield* Housekeeping
        const removals = yield* housekeeping.planGc(DEFAULT_GC, () => Effect.void)
        assert.deepStrictEqual(
          removals.filter((r) => r.kind === "artifact"),
          [],
          "the daemon still has to upload it"
        )
        const found = yield* housekeeping.inspect(sent.messageId)
        assert.deepStrictEqual(
          found.map((l) => [l.kind, l.path]),
          [
            ["message to a contact", `remote-sent/${me.sessionId}/${sent.messageId}.json`],
            ["message ref", `refs/${sent.messageId}.json`],
            ["cloud outbox entry", `cloud/outbox/${sent.messageId}.json`]
          ]
        )
        assert.strictEqual((found[2]!.record as { state: string }).state, "queued")
      })
    )
  )
})

describe("contacts' sessions", () => {
  it.effect("are listed from the presence cache, marked remote; stale presence is not shown", () =>
    withBob((_f, me) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0 + 100_000)
        yield* writePresence({
          v: 1,
          fetchedAt: T0 + 100_000,
          contacts: [
            {
              handle: "alice" as never,
              accountId: "acct_1" as never,
              publishedAt: T0 + 50_000,
              sessions: [{ label: "api", cli: "codex", cwd: "/srv/api", since: T0, lastSeen: T0 + 40_000 }]
            },
            {
              handle: "erin" as never,
              accountId: "acct_9" as never,
              publishedAt: T0 + 5_000,
              sessions: [{ label: "old", since: T0, lastSeen: T0 }]
            }
          ]
        })
        const { sessions } = yield* call(listSessions, me)
        const remote = sessions.filter((s: { origin?: string }) => s.origin === "remote")
        assert.deepStrictEqual(remote, [
          {
            origin: "remote",
            contact: "alice",
            label: "api",
            provider: "codex",
            cwd: "/srv/api",
            since: new Date(T0).toISOString(),
            lastSeen: new Date(T0 + 40_000).toISOString(),
            online: true
          }
        ])
        assert.isTrue(sessions.some((s: { label: string; origin?: string }) => s.label === "backend" && !s.origin))
      })
    )
  )
})
