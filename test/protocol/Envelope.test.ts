import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import { decodeEnvelope, encodeEnvelope, open, seal } from "../../src/protocol/Envelope.js"
import { CT_BUCKETS } from "../../src/protocol/Padding.js"
import type { Envelope, Handle } from "../../src/protocol/WireSchemas.js"
import { DAY, draft, ID, T0, world } from "./support.js"

const provide = Effect.provide(layerSeeded("envelope"))
const exp = Math.floor(T0 / 1000) + 7 * 86_400

const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = Uint8Array.from(bytes)
  copy[at] = copy[at]! ^ 1
  return copy
}

const failure = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

describe("sealed envelope", () => {
  it.effect("round-trips through the wire JSON and opens to the signed inner message", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft() })
      assert.deepStrictEqual(Object.keys(encodeEnvelope(env)).sort(), ["ct", "exp", "id", "rk", "to", "v"])
      const wire = JSON.parse(JSON.stringify(encodeEnvelope(env)))
      assert.notInclude(JSON.stringify(wire), "build is green")
      const opened = yield* open(yield* decodeEnvelope(wire), alice.contact, bob.receiver)
      assert.strictEqual(opened.inner.subject, "build is green")
      assert.strictEqual(opened.inner.body, "ping")
      assert.deepStrictEqual(opened.inner.to, { label: "backend" })
      assert.strictEqual(env.rk, "ek_2")
      assert.strictEqual(env.ct.length, 1024)
    }).pipe(provide)
  )

  it.effect("a replayed envelope opens to the same (fpr, id) ledger key and the same local id", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft() })
      const first = yield* open(env, alice.contact, bob.receiver)
      yield* TestClock.adjust("1 hour")
      const again = yield* open(env, alice.contact, bob.receiver)
      assert.strictEqual(again.ledgerKey, first.ledgerKey)
      assert.strictEqual(again.localId, first.localId)
      assert.isTrue(first.ledgerKey.endsWith(`:${ID}`))
      // The same id from another sender is another ledger entry and another local id.
      const fromCarol = yield* seal({
        id: ID,
        exp,
        from: carol.sender,
        to: bob.contact,
        inner: draft({ fromHandle: "carol" as Handle })
      })
      const other = yield* open(fromCarol, carol.contact, bob.receiver)
      assert.notStrictEqual(other.ledgerKey, first.ledgerKey)
      assert.notStrictEqual(other.localId, first.localId)
    }).pipe(provide)
  )

  it.effect("a flipped bit anywhere in ct is refused as tampered", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft() })
      for (const at of [0, 31, 32, 100, env.ct.length - 1]) {
        const tag = yield* failure(open({ ...env, ct: flip(env.ct, at) }, alice.contact, bob.receiver))
        assert.strictEqual(tag, "EnvelopeTampered", `bit at ${at}`)
      }
    }).pipe(provide)
  )

  it.effect("a changed header field (id, exp, relabelled from) is refused", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft() })
      const otherId = "01JF0000000000000000000002" as Envelope["id"]
      assert.strictEqual(yield* failure(open({ ...env, id: otherId }, alice.contact, bob.receiver)), "EnvelopeTampered")
      assert.strictEqual(
        yield* failure(open({ ...env, exp: exp + 1 }, alice.contact, bob.receiver)),
        "EnvelopeTampered"
      )
      // The relay stamps from = carol on alice's envelope.
      assert.strictEqual(yield* failure(open(env, carol.contact, bob.receiver)), "EnvelopeTampered")
    }).pipe(provide)
  )

  it.effect("a ciphertext moved to another recipient, or naming a key it lacks, is refused", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft() })
      assert.strictEqual(yield* failure(open(env, alice.contact, carol.receiver)), "EnvelopeMisrouted")
      const moved = { ...env, to: carol.accountId }
      assert.strictEqual(yield* failure(open(moved, alice.contact, carol.receiver)), "UnknownRecipientKey")
      const relabelled = { ...moved, rk: carol.ek.record.keyId }
      assert.strictEqual(yield* failure(open(relabelled, alice.contact, carol.receiver)), "EnvelopeTampered")
    }).pipe(provide)
  )

  it.effect("a sender whose key is not the pinned one, or who signs another handle, is refused", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      // carol's key, alice's account: as if alice's pinned key were replaced by the relay.
      const forged = yield* seal({
        id: ID,
        exp,
        from: { accountId: alice.accountId, identity: carol.identity },
        to: bob.contact,
        inner: draft()
      })
      assert.strictEqual(yield* failure(open(forged, alice.contact, bob.receiver)), "SignatureInvalid")
      const wrongHandle = yield* seal({
        id: ID,
        exp,
        from: alice.sender,
        to: bob.contact,
        inner: draft({ fromHandle: "carol" as Handle })
      })
      assert.strictEqual(yield* failure(open(wrongHandle, alice.contact, bob.receiver)), "SenderMismatch")
    }).pipe(provide)
  )

  it.effect("ts must be within now - (7 d + 10 min) .. now + 10 min", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const at = (ts: number) => seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft({ ts }) })
      const future = yield* at(T0 + 11 * 60_000)
      assert.strictEqual(yield* failure(open(future, alice.contact, bob.receiver)), "EnvelopeFromFuture")
      const edge = yield* at(T0 + 10 * 60_000)
      yield* open(edge, alice.contact, bob.receiver)
      const old = yield* at(T0)
      yield* TestClock.setTime(T0 + 7 * DAY + 10 * 60_000)
      yield* open(old, alice.contact, bob.receiver)
      yield* TestClock.setTime(T0 + 7 * DAY + 10 * 60_000 + 1)
      assert.strictEqual(yield* failure(open(old, alice.contact, bob.receiver)), "EnvelopeTooOld")
    }).pipe(provide)
  )

  it.effect("ct is always one of the bucket sizes, even for 64 KiB of characters JSON must escape", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const sizeOf = (body: string) =>
        Effect.map(
          seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft({ body }) }),
          (e) => e.ct.length
        )
      assert.strictEqual(yield* sizeOf(""), 1024)
      assert.strictEqual(yield* sizeOf("x".repeat(2000)), 4096)
      assert.strictEqual(yield* sizeOf("x".repeat(65536)), 256 * 1024)
      // Each quote is written \" (2 bytes), each U+0001 \u0001 (6 bytes): 128 KiB and 384 KiB of JSON.
      assert.strictEqual(yield* sizeOf('"'.repeat(65536)), 256 * 1024)
      const escaped = yield* seal({
        id: ID,
        exp,
        from: alice.sender,
        to: bob.contact,
        inner: draft({ body: "\u0001".repeat(65536) })
      })
      assert.strictEqual(escaped.ct.length, 512 * 1024)
      assert.strictEqual((yield* open(escaped, alice.contact, bob.receiver)).inner.body, "\u0001".repeat(65536))
      for (const body of ["", "a".repeat(900), "a".repeat(10_000), "é".repeat(30_000)]) {
        assert.include(CT_BUCKETS, yield* sizeOf(body))
      }
    }).pipe(provide)
  )

  it.effect("a body over 64 KiB is BODY_TOO_LARGE; JSON that no bucket holds is PAYLOAD_TOO_LARGE", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const body = yield* Effect.flip(
        seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner: draft({ body: "é".repeat(32_769) }) })
      )
      assert.strictEqual(body._tag, "BodyTooLarge")
      assert.strictEqual(body.code, "BODY_TOO_LARGE")
      const payload = yield* Effect.flip(
        seal({
          id: ID,
          exp,
          from: alice.sender,
          to: bob.contact,
          inner: draft({ body: "\u0001".repeat(65536), subject: "\u0001".repeat(30_000) })
        })
      )
      assert.strictEqual(payload._tag, "PayloadTooLarge")
      assert.strictEqual(payload.code, "PAYLOAD_TOO_LARGE")
    }).pipe(provide)
  )

  it.effect("a malformed wire envelope is ENVELOPE_INVALID/malformed", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decodeEnvelope({ v: 2, id: "x", to: "acct_b", exp: 1, rk: "ek_1", ct: "" }))
      assert.strictEqual(error.code, "ENVELOPE_INVALID")
      assert.strictEqual(error.reason, "malformed")
    })
  )
})
