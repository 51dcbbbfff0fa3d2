import { assert, it } from "@effect/vitest"
import { Context, Effect, Either, Layer, Option, TestClock } from "effect"
import type { RelayStoreIo } from "../../src/relay/RelayErrors.js"
import { relayErrorCode } from "../../src/relay/RelayErrors.js"
import { type AccountId, RelayLimits, RelayStore, type RelayStoreShape } from "../../src/relay/RelayStore.js"
import type { StoreOptions } from "../../src/relay/SqlRelayStore.js"

/** Opens a store on one database; calling it again opens the same database again. */
export type Opener = (options?: StoreOptions) => Layer.Layer<RelayStore, RelayStoreIo>

const HOUR = 3_600_000
const DAY = 24 * HOUR

let counter = 0
/** Distinct opaque bytes (ids, hashes, keys) for each call. */
export const bytes = (length = 16): Uint8Array => {
  counter++
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (counter >> ((i % 4) * 8)) & 0xff
  out[length - 1] = 0xa5
  return out
}

export const account = (store: RelayStoreShape, handle: string) =>
  store.createAccount({ handle, ikPub: bytes(32), ekRecord: bytes(64), ekSeq: 1 })

/** Invite → redeem → accept: an active contact between the two accounts. */
export const befriend = (store: RelayStoreShape, inviter: AccountId, redeemer: AccountId) =>
  Effect.gen(function* () {
    const id = bytes()
    const at = yield* Effect.clockWith((c) => c.currentTimeMillis)
    yield* store.createInvite({ id, inviterId: inviter, offer: bytes(48), expiresAt: at + DAY })
    yield* store.redeemInvite({ id, redeemerId: redeemer, reply: bytes(48) })
    return yield* store.acceptContact(inviter, redeemer)
  })

export const send = (store: RelayStoreShape, from: AccountId, to: AccountId, msgId = bytes()) =>
  Effect.flatMap(
    Effect.clockWith((c) => c.currentTimeMillis),
    (at) =>
      store.enqueue({ senderId: from, recipientId: to, msgId, rk: "ek_1", ct: bytes(200), expiresAt: at + 7 * DAY })
  )

/** The store, and alice and bob as each other's contacts. */
const contacts = Effect.gen(function* () {
  const store = yield* RelayStore
  const alice = yield* account(store, "alice")
  const bob = yield* account(store, "bob")
  yield* befriend(store, alice.id, bob.id)
  return { store, alice, bob }
})

const codeOf = <A, E extends Parameters<typeof relayErrorCode>[0]>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), Either.match({ onLeft: relayErrorCode, onRight: () => "ok" as string }))

/** The behaviour every RelayStore layer must have. `fresh` gives an opener for a new, empty database per call. */
export const testRelayStore = (fresh: () => Opener) => {
  const run = <A, E>(effect: Effect.Effect<A, E, RelayStore>, open: Opener = fresh()) => Effect.provide(effect, open())

  it.live("the relay id is made once and survives a reopen", () => {
    const open = fresh()
    return Effect.gen(function* () {
      const first = yield* run(
        Effect.map(RelayStore, (s) => s.relayId),
        open
      )
      const again = yield* run(
        Effect.map(RelayStore, (s) => s.relayId),
        open
      )
      assert.match(first, /^[0-9a-f]{32}$/)
      assert.strictEqual(again, first)
    })
  })

  it.live(
    "several stores opening one new database at once: one migrates it, all share one relay id and one claimed setting",
    () => {
      const open = fresh()
      return Effect.gen(function* () {
        const opened = yield* Effect.forEach(
          [1, 2, 3],
          () =>
            run(
              Effect.map(RelayStore, (s) => ({ id: s.relayId, migrated: s.migrated })),
              open
            ),
          {
            concurrency: 3
          }
        )
        assert.strictEqual(new Set(opened.map((o) => o.id)).size, 1)
        // Exactly one of them applied the schema; the others found it current.
        assert.deepStrictEqual(opened.map((o) => o.migrated.join(",")).sort(), [
          "",
          "",
          "1_relay_schema,2_identity_rotations,3_sent_status_stored"
        ])
        const code = yield* Effect.forEach(
          ["first", "second", "third"],
          (candidate) =>
            run(
              Effect.flatMap(RelayStore, (s) => s.claimSetting("registration_code", candidate)),
              open
            ),
          { concurrency: 3 }
        )
        assert.strictEqual(new Set(code.map((c) => c.value)).size, 1)
        assert.strictEqual(code.filter((c) => c.created).length, 1)
      })
    }
  )

  it.live("handles are unique; accounts read back by id and handle; EK records only move forward", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        assert.strictEqual(yield* codeOf(account(store, "alice")), "HANDLE_TAKEN")
        const byHandle = yield* store.getAccountByHandle("alice")
        assert.deepStrictEqual(
          Option.map(byHandle, (a) => a.id),
          Option.some(alice.id)
        )
        assert.deepStrictEqual(
          Array.from(Option.getOrThrow(yield* store.getAccount(alice.id)).ikPub),
          Array.from(alice.ikPub)
        )
        assert.isTrue(Option.isNone(yield* store.getAccount(alice.id + 999)))
        yield* store.updateEkRecord(alice.id, bytes(64), 2)
        assert.strictEqual(yield* codeOf(store.updateEkRecord(alice.id, bytes(64), 2)), "EK_SEQ_STALE")
        assert.strictEqual(yield* codeOf(store.updateEkRecord(alice.id + 999, bytes(64), 9)), "ACCOUNT_NOT_FOUND")
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(alice.id)).ekSeq, 2)
        yield* account(store, "bob")
        assert.deepStrictEqual(
          (yield* store.listAccounts).map((a) => a.handle),
          ["alice", "bob"]
        )
      })
    )
  )

  it.live("tokens: looked up by hash, revoked one by one, and all at once when the account is disabled", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const [t1, t2, t3] = [bytes(32), bytes(32), bytes(32)]
        yield* store.insertToken(alice.id, t1, "laptop")
        yield* store.insertToken(alice.id, t2)
        yield* store.insertToken(alice.id, t3)
        assert.strictEqual((yield* store.accountForToken(t1)).id, alice.id)
        assert.strictEqual(yield* codeOf(store.accountForToken(bytes(32))), "RELAY_AUTH")
        // The id lookup may answer from the store's token cache: every revoke below must reach it at once.
        for (const t of [t1, t2, t3]) assert.strictEqual(yield* store.accountIdForToken(t), alice.id)
        assert.strictEqual(yield* codeOf(store.accountIdForToken(bytes(32))), "RELAY_AUTH")
        yield* store.touchToken(t1)
        assert.isTrue(yield* store.revokeToken(t1))
        assert.isFalse(yield* store.revokeToken(t1))
        assert.strictEqual(yield* codeOf(store.accountForToken(t1)), "RELAY_AUTH")
        assert.strictEqual(yield* codeOf(store.accountIdForToken(t1)), "RELAY_AUTH")
        assert.strictEqual((yield* store.accountForToken(t2)).id, alice.id)
        assert.strictEqual(yield* store.accountIdForToken(t2), alice.id)
        assert.isTrue(yield* store.disableAccount(alice.id))
        assert.isFalse(yield* store.disableAccount(alice.id))
        assert.strictEqual(yield* codeOf(store.accountForToken(t2)), "RELAY_AUTH")
        assert.strictEqual(yield* codeOf(store.accountForToken(t3)), "RELAY_AUTH")
        assert.strictEqual(yield* codeOf(store.accountIdForToken(t2)), "RELAY_AUTH")
        assert.strictEqual(yield* codeOf(store.accountIdForToken(t3)), "RELAY_AUTH")
        const bob = yield* account(store, "bob")
        const t4 = bytes(32)
        yield* store.insertToken(bob.id, t4)
        assert.strictEqual(yield* store.accountIdForToken(t4), bob.id)
        assert.strictEqual(yield* store.revokeAllTokens(bob.id), 1)
        assert.strictEqual(yield* codeOf(store.accountIdForToken(t4)), "RELAY_AUTH")
        assert.strictEqual(yield* store.revokeAllTokens(alice.id), 0)
        yield* store.audit(alice.id, "account.disable", "by operator")
        assert.deepStrictEqual(
          (yield* store.listAudit(5)).map((e) => e.event),
          ["account.disable"]
        )
      })
    )
  )

  it.effect("invites: single use; used, expired, revoked and unknown all answer INVITE_INVALID", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        const carol = yield* account(store, "carol")
        const [used, expiring, revoked] = [bytes(), bytes(), bytes()]
        for (const id of [used, expiring, revoked]) {
          yield* store.createInvite({ id, inviterId: alice.id, offer: bytes(48), expiresAt: HOUR })
        }
        const open = yield* store.getOpenInvite(used)
        assert.strictEqual(open.inviterHandle, "alice")
        const redeemed = yield* store.redeemInvite({ id: used, redeemerId: bob.id, reply: bytes(48) })
        assert.strictEqual(redeemed.redeemedByHandle, "bob")
        assert.strictEqual(
          yield* codeOf(store.redeemInvite({ id: used, redeemerId: carol.id, reply: bytes() })),
          "INVITE_INVALID"
        )
        assert.strictEqual(yield* codeOf(store.getOpenInvite(used)), "INVITE_INVALID")
        assert.isTrue(yield* store.revokeInvite(alice.id, revoked))
        assert.strictEqual(
          yield* codeOf(store.redeemInvite({ id: revoked, redeemerId: carol.id, reply: bytes() })),
          "INVITE_INVALID"
        )
        assert.strictEqual(
          yield* codeOf(store.redeemInvite({ id: bytes(), redeemerId: carol.id, reply: bytes() })),
          "INVITE_INVALID"
        )
        assert.strictEqual(
          yield* codeOf(store.redeemInvite({ id: expiring, redeemerId: alice.id, reply: bytes() })),
          "INVITE_INVALID"
        )
        yield* TestClock.adjust(HOUR)
        assert.strictEqual(
          yield* codeOf(store.redeemInvite({ id: expiring, redeemerId: carol.id, reply: bytes() })),
          "INVITE_INVALID"
        )
        const pending = yield* store.listRedeemedInvites(alice.id)
        assert.deepStrictEqual(
          pending.map((i) => i.redeemedBy),
          [bob.id]
        )
        assert.strictEqual(Option.getOrThrow(yield* store.getContact(bob.id, alice.id)).state, "pending")
      })
    )
  )

  it.effect("at most 20 open invites per account; a used one frees its place", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        const ids = Array.from({ length: 20 }, () => bytes())
        for (const id of ids) yield* store.createInvite({ id, inviterId: alice.id, offer: bytes(), expiresAt: DAY })
        const over = () => store.createInvite({ id: bytes(), inviterId: alice.id, offer: bytes(), expiresAt: DAY })
        assert.strictEqual(yield* codeOf(over()), "RATE_LIMITED")
        yield* store.redeemInvite({ id: ids[0]!, redeemerId: bob.id, reply: bytes() })
        assert.strictEqual(yield* codeOf(over()), "ok")
        assert.strictEqual(yield* codeOf(over()), "RATE_LIMITED")
      })
    )
  )

  it.live("accept makes the contact active; strangers and revoked pairs cannot send", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        const eve = yield* account(store, "eve")
        const contact = yield* befriend(store, alice.id, bob.id)
        assert.strictEqual(contact.state, "active")
        assert.strictEqual(contact.peerHandle, "bob")
        assert.deepStrictEqual(
          (yield* store.listContacts(bob.id)).map((c) => [c.peerHandle, c.state]),
          [["alice", "active"]]
        )
        assert.strictEqual(yield* codeOf(send(store, eve.id, alice.id)), "NOT_A_CONTACT")
        assert.strictEqual(yield* codeOf(store.acceptContact(alice.id, eve.id)), "NOT_A_CONTACT")
        assert.strictEqual((yield* send(store, bob.id, alice.id)).seq, 1)
        yield* store.revokeContact(bob.id, alice.id)
        assert.strictEqual(yield* codeOf(send(store, bob.id, alice.id)), "CONTACT_REVOKED")
        assert.strictEqual(yield* codeOf(send(store, alice.id, bob.id)), "CONTACT_REVOKED")
        assert.strictEqual(yield* codeOf(store.revokeContact(alice.id, eve.id)), "NOT_A_CONTACT")
      })
    )
  )

  it.live("revoke deletes the pair's unfetched messages, blob grants and presence, and only theirs", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const [alice, bob, carol] = [
          yield* account(store, "alice"),
          yield* account(store, "bob"),
          yield* account(store, "carol")
        ]
        yield* befriend(store, alice.id, bob.id)
        yield* befriend(store, alice.id, carol.id)
        const fromBob = bytes()
        yield* send(store, bob.id, alice.id, fromBob)
        yield* send(store, alice.id, bob.id)
        yield* send(store, carol.id, alice.id)
        const [bobBlob, carolBlob] = [bytes(32), bytes(32)]
        yield* store.putBlob({
          blobId: bobBlob,
          uploaderId: bob.id,
          data: bytes(100),
          expiresAt: 2e12,
          grants: [alice.id]
        })
        yield* store.putBlob({
          blobId: carolBlob,
          uploaderId: carol.id,
          data: bytes(100),
          expiresAt: 2e12,
          grants: [alice.id]
        })
        yield* store.putPresence(bob.id, [{ viewerId: alice.id, blob: bytes() }])
        yield* store.putPresence(carol.id, [{ viewerId: alice.id, blob: bytes() }])
        yield* store.putPresence(alice.id, [
          { viewerId: bob.id, blob: bytes() },
          { viewerId: carol.id, blob: bytes() }
        ])

        assert.deepStrictEqual(yield* store.revokeContact(alice.id, bob.id), { deletedMessages: 2 })
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, 0, 10)).map((e) => e.senderId),
          [carol.id]
        )
        assert.deepStrictEqual(yield* store.fetch(bob.id, 0, 10), [])
        const status = Option.getOrThrow(yield* store.getSentStatus(bob.id, fromBob))
        assert.deepStrictEqual([status.state, status.reason], ["refused", "revoked"])
        assert.isTrue(Option.isNone(yield* store.getBlob(bobBlob, alice.id)))
        assert.isTrue(Option.isSome(yield* store.getBlob(carolBlob, alice.id)))
        assert.deepStrictEqual(
          (yield* store.getPresence(alice.id)).map((p) => p.ownerId),
          [carol.id]
        )
        assert.deepStrictEqual(yield* store.getPresence(bob.id), [])
        assert.strictEqual((yield* store.getPresence(carol.id)).length, 1)
        assert.deepStrictEqual(yield* store.revokeContact(alice.id, bob.id), { deletedMessages: 0 })
      })
    )
  )

  it.live("concurrent sends to one recipient get gapless seqs 1..N and a polling reader loses none", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const inbox = yield* account(store, "inbox")
        const senders = yield* Effect.forEach(
          Array.from({ length: 8 }, (_, i) => `s${i}`),
          (h) => account(store, h)
        )
        for (const s of senders) yield* befriend(store, inbox.id, s.id)
        const perSender = 25
        const total = senders.length * perSender
        const seen: Array<number> = []
        const reader = Effect.gen(function* () {
          let cursor = 0
          while (seen.length < total) {
            const batch = yield* store.fetch(inbox.id, cursor, 50)
            for (const e of batch) seen.push(e.seq)
            cursor = batch.at(-1)?.seq ?? cursor
            if (batch.length === 0) yield* Effect.sleep("1 millis")
          }
        })
        const writers = Effect.forEach(
          senders,
          (s) =>
            Effect.forEach(Array.from({ length: perSender }), () => send(store, s.id, inbox.id), { discard: true }),
          { concurrency: "unbounded", discard: true }
        )
        yield* Effect.all([writers, reader.pipe(Effect.timeout("20 seconds"))], { concurrency: 2 })
        assert.deepStrictEqual(
          seen,
          Array.from({ length: total }, (_, i) => i + 1)
        )
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(inbox.id)).nextSeq, total)
      })
    )
  )

  it.live("a retried send returns the first seq with duplicate: true and stores one row", () =>
    run(
      Effect.gen(function* () {
        const { store, alice, bob } = yield* contacts
        const id = bytes()
        assert.deepStrictEqual(yield* send(store, bob.id, alice.id, id), { seq: 1, duplicate: false })
        const retries = yield* Effect.forEach([1, 2, 3], () => send(store, bob.id, alice.id, id), { concurrency: 3 })
        assert.deepStrictEqual(
          retries,
          [1, 2, 3].map(() => ({ seq: 1, duplicate: true }))
        )
        assert.deepStrictEqual(yield* send(store, bob.id, alice.id), { seq: 2, duplicate: false })
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, 0, 10)).map((e) => e.seq),
          [1, 2]
        )
        yield* store.ack(alice.id, 2)
        assert.deepStrictEqual(yield* send(store, bob.id, alice.id, id), { seq: 1, duplicate: true })
      })
    )
  )

  it.live("a full recipient refuses more with RECIPIENT_QUOTA until it acks (the cap is 1,000 by default)", () => {
    assert.strictEqual(RelayLimits.pendingMessagesPerRecipient, 1_000)
    const cap = 40
    return Effect.provide(
      Effect.gen(function* () {
        const { store, alice, bob } = yield* contacts
        yield* Effect.forEach(Array.from({ length: cap }), () => send(store, bob.id, alice.id), {
          concurrency: 4,
          discard: true
        })
        assert.strictEqual(yield* codeOf(send(store, bob.id, alice.id)), "RECIPIENT_QUOTA")
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(alice.id)).nextSeq, cap)
        yield* store.ack(alice.id, 10)
        assert.deepStrictEqual(yield* send(store, bob.id, alice.id), { seq: cap + 1, duplicate: false })
      }),
      fresh()({ pendingMessagesPerRecipient: cap })
    )
  })

  it.live("a poll at the end of its spool still gets what is sent after it, however often it came back", () =>
    run(
      Effect.gen(function* () {
        const { store, alice, bob } = yield* contacts
        // On SQLite a read that saw the end lets the next polls at it skip their reads (SpoolTails.ts); each send
        // must move that end before its sender is answered.
        assert.deepStrictEqual(yield* store.fetch(alice.id, 0, 10), [])
        const first = yield* send(store, bob.id, alice.id)
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, 0, 10)).map((e) => e.seq),
          [first.seq]
        )
        for (let i = 0; i < 3; i++) assert.deepStrictEqual(yield* store.fetch(alice.id, first.seq, 10), [])
        const second = yield* send(store, bob.id, alice.id)
        const third = yield* send(store, bob.id, alice.id)
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, first.seq, 10)).map((e) => e.seq),
          [second.seq, third.seq]
        )
        // A retried id is no new row: the end stays where the read saw it.
        assert.deepStrictEqual(yield* store.fetch(alice.id, third.seq, 10), [])
        // A batch that fills the limit says nothing of what lies beyond it.
        const more = [] as Array<number>
        for (let i = 0; i < 5; i++) more.push((yield* send(store, bob.id, alice.id)).seq)
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, third.seq, 2)).map((e) => e.seq),
          more.slice(0, 2)
        )
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, more[1]!, 10)).map((e) => e.seq),
          more.slice(2)
        )
      })
    )
  )

  it.live("ack drops rows up to upTo, marks them delivered, and never moves backwards or past the last seq", () =>
    run(
      Effect.gen(function* () {
        const { store, alice, bob } = yield* contacts
        const ids = [bytes(), bytes(), bytes(), bytes()]
        for (const id of ids) yield* send(store, bob.id, alice.id, id)
        assert.deepStrictEqual(yield* store.ack(alice.id, 2), { ackedSeq: 2, deleted: 2 })
        const states = yield* Effect.forEach(ids, (id) => store.getSentStatus(bob.id, id))
        assert.deepStrictEqual(
          states.map((s) => Option.getOrThrow(s).state),
          ["delivered", "delivered", "stored", "stored"]
        )
        assert.deepStrictEqual(yield* store.ack(alice.id, 1), { ackedSeq: 2, deleted: 0 })
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, 3, 10)).map((e) => e.seq),
          [4]
        )
        // The fetch's own ack (after = 3) is not waited for by the read; it lands within a batch or two.
        let acked = 0
        for (let i = 0; i < 200 && acked < 3; i++) {
          acked = Option.getOrThrow(yield* store.getAccount(alice.id)).ackedSeq
          if (acked < 3) yield* Effect.sleep("5 millis")
        }
        assert.strictEqual(acked, 3)
        // A poll's later reads ack nothing; a poll re-issued at a cursor already acked reads the same rows.
        assert.deepStrictEqual(
          (yield* store.read(alice.id, 0, 10)).map((e) => e.seq),
          [4]
        )
        assert.deepStrictEqual(
          (yield* store.fetch(alice.id, 3, 10)).map((e) => e.seq),
          [4]
        )
        assert.deepStrictEqual(yield* store.read(alice.id, 4, 10), [])
        // A fetch's ack lands within a batch or two (above); a read's would have by now.
        yield* Effect.sleep("100 millis")
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(alice.id)).ackedSeq, 3)
        // A cursor past the last one acked is acked again, by the next fetch.
        assert.deepStrictEqual(yield* store.fetch(alice.id, 4, 10), [])
        for (let i = 0; i < 200 && acked < 4; i++) {
          acked = Option.getOrThrow(yield* store.getAccount(alice.id)).ackedSeq
          if (acked < 4) yield* Effect.sleep("5 millis")
        }
        assert.strictEqual(acked, 4)
        assert.deepStrictEqual(yield* store.read(alice.id, 0, 10), [])
        assert.deepStrictEqual(yield* store.ack(alice.id, 99), { ackedSeq: 4, deleted: 0 })
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(alice.id)).ackedSeq, 4)
      })
    )
  )

  it.live("blobs: chunked, served only to grantees, dropped once every grantee fetched and acked", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const [alice, bob, eve] = [
          yield* account(store, "alice"),
          yield* account(store, "bob"),
          yield* account(store, "eve")
        ]
        const data = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => i % 251)
        const blobId = bytes(32)
        assert.deepStrictEqual(
          yield* store.putBlob({ blobId, uploaderId: bob.id, data, expiresAt: 2e12, grants: [alice.id] }),
          { duplicate: false }
        )
        assert.deepStrictEqual(
          yield* store.putBlob({ blobId, uploaderId: bob.id, data, expiresAt: 2e12, grants: [alice.id] }),
          { duplicate: true }
        )
        const blob = Option.getOrThrow(yield* store.getBlob(blobId, alice.id))
        assert.deepStrictEqual(
          blob.chunks.map((c) => c.length),
          [1048576, 1048576, 524288]
        )
        const joined = new Uint8Array(blob.size)
        let offset = 0
        for (const c of blob.chunks) joined.set(c, (offset += c.length) - c.length)
        assert.isTrue(joined.every((v, i) => v === data[i]))
        assert.isTrue(Option.isNone(yield* store.getBlob(blobId, eve.id)))
        yield* befriend(store, alice.id, bob.id)
        yield* send(store, bob.id, alice.id)
        yield* store.markBlobFetched(blobId, alice.id)
        assert.strictEqual((yield* store.sweep).blobsDropped, 0)
        yield* store.ack(alice.id, 1)
        assert.strictEqual((yield* store.sweep).blobsDropped, 1)
        assert.isTrue(Option.isNone(yield* store.getBlob(blobId, alice.id)))
      })
    )
  )

  it.effect("the sweeper expires spool rows (sender sees expired), spent invites and blobs; twice is a no-op", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        yield* TestClock.setTime(1_000 * DAY)
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        yield* befriend(store, alice.id, bob.id)
        const id = bytes()
        yield* send(store, bob.id, alice.id, id)
        yield* store.createInvite({ id: bytes(), inviterId: alice.id, offer: bytes(), expiresAt: 1_000 * DAY + HOUR })
        yield* store.putBlob({
          blobId: bytes(32),
          uploaderId: bob.id,
          data: bytes(10),
          expiresAt: 1_000 * DAY + DAY,
          grants: [alice.id]
        })
        const early = yield* store.sweep
        assert.deepStrictEqual([early.spoolExpired, early.blobsDropped], [0, 0])
        yield* TestClock.adjust(8 * DAY)
        const swept = yield* Effect.all([store.sweep, store.sweep], { concurrency: 2 })
        const sum = (k: "spoolExpired" | "invitesDropped" | "blobsDropped") => swept[0][k] + swept[1][k]
        assert.deepStrictEqual([sum("spoolExpired"), sum("invitesDropped"), sum("blobsDropped")], [1, 1, 1])
        assert.strictEqual(Option.getOrThrow(yield* store.getSentStatus(bob.id, id)).state, "expired")
        assert.deepStrictEqual(yield* store.sweep, {
          spoolExpired: 0,
          invitesDropped: 0,
          blobsDropped: 0,
          sentStatusDropped: 0
        })
        yield* TestClock.adjust(9 * DAY)
        assert.strictEqual((yield* store.sweep).sentStatusDropped, 1)
        assert.isTrue(Option.isNone(yield* store.getSentStatus(bob.id, id)))
        // One audit row per sweep that removed something, with its counts; the empty sweeps left none.
        const sweeps = (yield* store.listAudit(50)).filter((e) => e.event === "sweep")
        assert.deepStrictEqual(
          sweeps.map((e) => [e.actor, JSON.parse(e.detail)]),
          [
            [null, { spoolExpired: 0, invitesDropped: 0, blobsDropped: 0, sentStatusDropped: 1 }],
            [null, { spoolExpired: 1, invitesDropped: 1, blobsDropped: 1, sentStatusDropped: 0 }],
            // The first sweep dropped the accepted invite that made the contact.
            [null, { spoolExpired: 0, invitesDropped: 1, blobsDropped: 0, sentStatusDropped: 0 }]
          ]
        )
      })
    )
  )

  it.scoped(
    "two stores on one database (two replicas) sweeping at once: every expired row counted once, none fails",
    () =>
      Effect.gen(function* () {
        const open = fresh()
        const a = Context.get(yield* Layer.build(open()), RelayStore)
        const b = Context.get(yield* Layer.build(open()), RelayStore)
        yield* TestClock.setTime(2_000 * DAY)
        const senders = yield* Effect.forEach(["s1", "s2", "s3"], (h) => account(a, `sweep-${h}`))
        const recipient = yield* account(b, "sweep-r")
        const ids: Array<Uint8Array> = []
        for (const sender of senders) {
          yield* befriend(a, recipient.id, sender.id)
          for (let i = 0; i < 8; i++) {
            const id = bytes()
            ids.push(id)
            yield* send(i % 2 === 0 ? a : b, sender.id, recipient.id, id)
          }
        }
        yield* TestClock.adjust(8 * DAY)
        // Each replica's sweeper fires twice at about the same moment.
        const swept = yield* Effect.all([a.sweep, b.sweep, a.sweep, b.sweep], { concurrency: 4 })
        assert.strictEqual(
          swept.reduce((n, s) => n + s.spoolExpired, 0),
          ids.length
        )
        const states = yield* Effect.forEach(ids, (id, i) =>
          Effect.map(b.getSentStatus(senders[Math.floor(i / 8)]!.id, id), (s) => Option.getOrThrow(s).state)
        )
        assert.deepStrictEqual(new Set(states), new Set(["expired"]))
        assert.deepStrictEqual((yield* b.fetch(recipient.id, 0, 100)).length, 0)
      })
  )
}
