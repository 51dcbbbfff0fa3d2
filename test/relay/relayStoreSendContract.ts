import { assert, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { relayErrorCode } from "../../src/relay/RelayErrors.js"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { account, befriend, bytes, type Opener, send } from "./relayStoreContract.js"

const codeOf = <A, E extends Parameters<typeof relayErrorCode>[0]>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), Either.match({ onLeft: (e): string => relayErrorCode(e), onRight: () => "ok" }))

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")

/** Sends under load (the group commit) and account creation, on every RelayStore layer. */
export const testRelayStoreSends = (fresh: () => Opener) => {
  it.live("many concurrent sends to few recipients: dense per-recipient seqs, nothing lost or stored twice", () =>
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const recipients = yield* Effect.forEach(["r0", "r1", "r2"], (h) => account(store, h))
        const senders = yield* Effect.forEach(["s0", "s1", "s2", "s3", "s4", "s5"], (h) => account(store, h))
        for (const r of recipients) for (const s of senders) yield* befriend(store, r.id, s.id)
        const perPair = 12
        const jobs = recipients.flatMap((r) =>
          senders.flatMap((s) => Array.from({ length: perPair }, () => ({ from: s.id, to: r.id, msgId: bytes() })))
        )
        // Every send at once, plus a retry of each of the first 20 racing with its original.
        const retried = jobs.slice(0, 20)
        const answers = yield* Effect.forEach(
          [...jobs, ...retried],
          (j) => Effect.map(send(store, j.from, j.to, j.msgId), (a) => ({ ...j, ...a })),
          { concurrency: "unbounded" }
        )
        for (const r of recipients) {
          const expected = senders.length * perPair
          const rows = yield* store.fetch(r.id, 0, 1_000)
          assert.deepStrictEqual(
            rows.map((e) => e.seq),
            Array.from({ length: expected }, (_, i) => i + 1)
          )
          const sentTo = new Set(jobs.filter((j) => j.to === r.id).map((j) => hex(j.msgId)))
          assert.deepStrictEqual(new Set(rows.map((e) => hex(e.msgId))), sentTo)
          assert.strictEqual(Option.getOrThrow(yield* store.getAccount(r.id)).nextSeq, expected)
        }
        // Each answer's seq is the row's seq, and a retry answered the original's seq.
        const byId = new Map<string, number>()
        for (const a of answers) {
          const known = byId.get(hex(a.msgId))
          if (known === undefined) byId.set(hex(a.msgId), a.seq)
          else assert.strictEqual(a.seq, known)
        }
        assert.strictEqual(answers.filter((a) => !a.duplicate).length, jobs.length)
        for (const j of jobs.slice(0, 30)) {
          const status = Option.getOrThrow(yield* store.getSentStatus(j.from, j.msgId))
          assert.deepStrictEqual([status.state, status.seq], ["stored", byId.get(hex(j.msgId))])
        }
      }),
      fresh()()
    )
  )

  it.live("one batch with refused and duplicate sends: the others are stored, each refusal keeps its code", () =>
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const [alice, bob, carol, eve] = yield* Effect.forEach(["alice", "bob", "carol", "eve"], (h) =>
          account(store, h)
        )
        yield* befriend(store, alice!.id, bob!.id)
        yield* befriend(store, alice!.id, carol!.id)
        yield* store.revokeContact(carol!.id, alice!.id)
        const [m0, m1, m2, m3, m4] = [bytes(), bytes(), bytes(), bytes(), bytes()]
        assert.deepStrictEqual(yield* send(store, bob!.id, alice!.id, m0), { seq: 1, duplicate: false })
        const to = alice!.id
        const outcomes = yield* Effect.forEach(
          [
            send(store, bob!.id, to, m1),
            send(store, eve!.id, to),
            send(store, bob!.id, to, m0),
            send(store, bob!.id, to, m2),
            send(store, bob!.id, to, m2),
            send(store, carol!.id, to),
            send(store, bob!.id, to, m3),
            send(store, bob!.id, to, m4),
            send(store, bob!.id, alice!.id + 999)
          ],
          (effect) =>
            Effect.map(
              Effect.either(effect),
              Either.match({ onLeft: (e): unknown => relayErrorCode(e), onRight: (a): unknown => a })
            ),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(outcomes, [
          { seq: 2, duplicate: false },
          "NOT_A_CONTACT",
          { seq: 1, duplicate: true },
          { seq: 3, duplicate: false },
          { seq: 3, duplicate: true },
          "CONTACT_REVOKED",
          { seq: 4, duplicate: false },
          "RECIPIENT_QUOTA",
          "ACCOUNT_NOT_FOUND"
        ])
        assert.deepStrictEqual(
          (yield* store.fetch(alice!.id, 0, 10)).map((e) => hex(e.msgId)),
          [m0, m1, m2, m3].map(hex)
        )
        assert.strictEqual(Option.getOrThrow(yield* store.getAccount(alice!.id)).nextSeq, 4)
        assert.isTrue(Option.isNone(yield* store.getSentStatus(bob!.id, m4)))
        // The refused id can be sent again once there is room.
        yield* store.ack(alice!.id, 1)
        assert.deepStrictEqual(yield* send(store, bob!.id, alice!.id, m4), { seq: 5, duplicate: false })
      }),
      // One writer: the sends below are taken in arrival order, so which one meets the full recipient is fixed.
      fresh()({ pendingMessagesPerRecipient: 4, writers: 1 })
    )
  )

  it.live("concurrent acks of many recipients, racing with sends and with each other, each land as if alone", () =>
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const sender = yield* account(store, "sender")
        const recipients = yield* Effect.forEach(["a0", "a1", "a2", "a3", "a4", "a5"], (h) => account(store, h))
        const sent = new Map<number, Array<Uint8Array>>()
        for (const r of recipients) {
          yield* befriend(store, r.id, sender.id)
          const ids = Array.from({ length: 6 }, () => bytes())
          for (const id of ids) yield* send(store, sender.id, r.id, id)
          sent.set(r.id, ids)
        }
        // Every recipient acks 4, a stale 2 and (explicitly) 4 again, all at once, while 2 more sends arrive each.
        const jobs = recipients.flatMap((r) => [
          Effect.map(store.fetch(r.id, 4, 100), (rows) => ({ r: r.id, kind: "fetch", v: rows.map((e) => e.seq) })),
          Effect.map(store.ack(r.id, 2), (a) => ({ r: r.id, kind: "stale", v: a.ackedSeq })),
          Effect.map(store.ack(r.id, 4), (a) => ({ r: r.id, kind: "ack", v: a.ackedSeq })),
          Effect.map(send(store, sender.id, r.id, bytes()), (a) => ({ r: r.id, kind: "send", v: a.seq })),
          Effect.map(send(store, sender.id, r.id, bytes()), (a) => ({ r: r.id, kind: "send", v: a.seq }))
        ])
        const outcomes = yield* Effect.all(jobs, { concurrency: "unbounded" })
        for (const r of recipients) {
          const mine = outcomes.filter((o) => o.r === r.id)
          // The fetch saw at least 5 and 6, never anything acked; a stale ack never moves the cursor back.
          const fetched = mine.find((o) => o.kind === "fetch")!.v as ReadonlyArray<number>
          assert.isTrue(fetched.every((seq) => seq > 4) && fetched.includes(5) && fetched.includes(6))
          assert.isTrue((mine.find((o) => o.kind === "stale")!.v as number) >= 2)
          assert.strictEqual(mine.find((o) => o.kind === "ack")!.v, 4)
          assert.deepStrictEqual(
            mine
              .filter((o) => o.kind === "send")
              .map((o) => o.v)
              .sort(),
            [7, 8]
          )
          assert.strictEqual(Option.getOrThrow(yield* store.getAccount(r.id)).ackedSeq, 4)
          assert.deepStrictEqual(
            (yield* store.fetch(r.id, 0, 100)).map((e) => e.seq),
            [5, 6, 7, 8]
          )
          const states = yield* Effect.forEach(sent.get(r.id)!, (id) => store.getSentStatus(sender.id, id))
          assert.deepStrictEqual(
            states.map((s) => Option.getOrThrow(s).state),
            ["delivered", "delivered", "delivered", "delivered", "stored", "stored"]
          )
        }
        // An ack at the cursor again changes nothing and drops nothing.
        assert.deepStrictEqual(yield* store.ack(recipients[0]!.id, 4), { ackedSeq: 4, deleted: 0 })
        assert.deepStrictEqual(yield* store.ack(recipients[0]!.id, 6), { ackedSeq: 6, deleted: 2 })
      }),
      fresh()({})
    )
  )

  it.live("an account and its first token are created together or not at all", () =>
    Effect.provide(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const token = bytes(32)
        const input = { ikPub: bytes(32), ekRecord: bytes(64), ekSeq: 1, tokenHash: token, tokenLabel: "register" }
        const alice = yield* store.createAccountWithToken({ ...input, handle: "alice" })
        assert.strictEqual((yield* store.accountForToken(token)).id, alice.id)
        assert.deepStrictEqual(
          (yield* store.listAudit(5)).map((e) => [e.event, e.actor, e.detail]),
          [["register", alice.id, "alice"]]
        )
        // The token insert fails (its hash is taken): the account is not left behind and its handle stays free.
        assert.strictEqual(yield* codeOf(store.createAccountWithToken({ ...input, handle: "bob" })), "RELAY_STORE_IO")
        assert.isTrue(Option.isNone(yield* store.getAccountByHandle("bob")))
        assert.deepStrictEqual(
          (yield* store.listAccounts).map((a) => a.handle),
          ["alice"]
        )
        assert.strictEqual((yield* store.listAudit(5)).length, 1)
        const bob = yield* store.createAccountWithToken({ ...input, handle: "bob", tokenHash: bytes(32) })
        assert.strictEqual(bob.handle, "bob")
        // A taken handle is refused before any token is written.
        assert.strictEqual(
          yield* codeOf(store.createAccountWithToken({ ...input, handle: "alice", tokenHash: bytes(32) })),
          "HANDLE_TAKEN"
        )
      }),
      fresh()()
    )
  )
}
