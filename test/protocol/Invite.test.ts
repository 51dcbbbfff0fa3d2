import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import { parseInviteCode } from "../../src/protocol/InviteCode.js"
import { makeOffer, makeReply, newInvite, openOffer, openReply } from "../../src/protocol/Invite.js"
import { safetyNumber } from "../../src/protocol/SafetyNumber.js"
import { type Account, DAY, T0, world } from "./support.js"

const provide = Effect.provide(layerSeeded("invite"))
const party = (a: Account) => ({
  identity: a.identity,
  handle: a.handle,
  accountId: a.accountId,
  ek: a.ek.record
})

const flip = (bytes: Uint8Array, at: number) => {
  const copy = Uint8Array.from(bytes)
  copy[at] = copy[at]! ^ 1
  return copy
}

describe("invite transcript", () => {
  it.effect("offer → redeem → accept pins each side's keys and both compute the same safety number", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const { secret, code } = yield* newInvite
      const { id, offer } = yield* makeOffer(secret, party(alice), T0 + DAY)
      // Bob types the code; the relay hands him {inviterHandle, inviterAccountId, offer}.
      const typed = Option.getOrThrow(parseInviteCode(code.toLowerCase().replace(/-/g, " ")))
      const inviter = yield* openOffer(typed, offer, { handle: "alice", accountId: alice.accountId })
      assert.deepStrictEqual(inviter.ikPub, alice.identity.publicKey)
      assert.deepStrictEqual(inviter.ek, alice.ek.record)
      const reply = yield* makeReply(typed, offer, party(bob))
      const redeemer = yield* openReply(secret, offer, reply, { handle: "bob", accountId: bob.accountId })
      assert.deepStrictEqual(redeemer.ikPub, bob.identity.publicKey)
      assert.strictEqual(id.length, 16)
      assert.strictEqual(
        yield* safetyNumber(alice.identity.publicKey, redeemer.ikPub),
        yield* safetyNumber(inviter.ikPub, bob.identity.publicKey)
      )
    }).pipe(provide)
  )

  it.effect("a relay that substitutes the offer, or claims another handle or account, is detected", () =>
    Effect.gen(function* () {
      const { alice, carol } = yield* world
      const { secret } = yield* newInvite
      const { offer } = yield* makeOffer(secret, party(alice), T0 + DAY)
      const claim = { handle: "alice", accountId: alice.accountId }
      // Its own offer (the relay does not know S, so it seals under another secret) with its own key.
      const { secret: relaySecret } = yield* newInvite
      const { offer: forged } = yield* makeOffer(
        relaySecret,
        { ...party(carol), handle: alice.handle, accountId: alice.accountId },
        T0 + DAY
      )
      assert.strictEqual((yield* Effect.flip(openOffer(secret, forged, claim)))._tag, "InviteOpenFailed")
      assert.strictEqual((yield* Effect.flip(openOffer(secret, flip(offer, 5), claim)))._tag, "InviteOpenFailed")
      const wrongHandle = yield* Effect.flip(openOffer(secret, offer, { handle: "carol", accountId: alice.accountId }))
      assert.strictEqual(wrongHandle._tag, "InviteFieldMismatch")
      assert.strictEqual(wrongHandle.code, "INVITE_INVALID")
      const wrongAccount = yield* Effect.flip(openOffer(secret, offer, { handle: "alice", accountId: carol.accountId }))
      assert.strictEqual(wrongAccount._tag, "InviteFieldMismatch")
      yield* TestClock.setTime(T0 + DAY)
      assert.strictEqual((yield* Effect.flip(openOffer(secret, offer, claim)))._tag, "InviteExpired")
    }).pipe(provide)
  )

  it.effect(
    "a relay that substitutes the reply, binds it to another offer, or mislabels the redeemer is detected",
    () =>
      Effect.gen(function* () {
        const { alice, bob, carol } = yield* world
        const { secret } = yield* newInvite
        const { offer } = yield* makeOffer(secret, party(alice), T0 + DAY)
        const claim = { handle: "bob", accountId: bob.accountId }
        const reply = yield* makeReply(secret, offer, party(bob))
        const { secret: relaySecret } = yield* newInvite
        const forged = yield* makeReply(relaySecret, offer, {
          ...party(carol),
          handle: bob.handle,
          accountId: bob.accountId
        })
        assert.strictEqual((yield* Effect.flip(openReply(secret, offer, forged, claim)))._tag, "InviteOpenFailed")
        assert.strictEqual(
          (yield* Effect.flip(openReply(secret, offer, flip(reply, 0), claim)))._tag,
          "InviteOpenFailed"
        )
        // A reply made against a different offer than the one alice published.
        const { offer: otherOffer } = yield* makeOffer(secret, party(alice), T0 + 2 * DAY)
        const crossed = yield* makeReply(secret, otherOffer, party(bob))
        assert.strictEqual(
          (yield* Effect.flip(openReply(secret, offer, crossed, claim)))._tag,
          "InviteSignatureInvalid"
        )
        const mislabelled = { handle: "carol", accountId: carol.accountId }
        assert.strictEqual(
          (yield* Effect.flip(openReply(secret, offer, reply, mislabelled)))._tag,
          "InviteFieldMismatch"
        )
      }).pipe(provide)
  )

  it.effect("an offer carrying an encryption key its identity did not sign is refused", () =>
    Effect.gen(function* () {
      const { alice, carol } = yield* world
      const { secret } = yield* newInvite
      const { offer } = yield* makeOffer(secret, { ...party(alice), ek: carol.ek.record }, T0 + DAY)
      const error = yield* Effect.flip(openOffer(secret, offer, { handle: "alice", accountId: alice.accountId }))
      assert.strictEqual(error._tag, "KeyRecordInvalid")
    }).pipe(provide)
  )
})
