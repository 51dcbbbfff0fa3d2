import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import { tuple } from "./Bytes.js"
import { decodeCanonical, encodeCanonical } from "./CanonicalJson.js"
import { CloudCrypto, type KeyPair } from "./CloudCrypto.js"
import { encodeInviteCode } from "./InviteCode.js"
import { fingerprint, verifyEncryptionKey } from "./Keys.js"
import {
  InviteExpired,
  InviteFieldMismatch,
  InviteMalformed,
  InviteOpenFailed,
  InviteSignatureInvalid
} from "./ProtocolErrors.js"
import {
  type AccountId,
  type EncryptionKeyRecord,
  type Handle,
  OfferFields,
  OfferPlaintext,
  ReplyFields,
  ReplyPlaintext
} from "./WireSchemas.js"

/*
 * The invite transcript of CLOUD.md 2.3. From the secret S (16 bytes, shown once as the code):
 *   id = HKDF(S, salt = "", "sb1 invite id", 16), kO = HKDF(S, "", "sb1 invite offer", 32),
 *   kR = HKDF(S, "", "sb1 invite reply", 32)
 *   offer = ChaCha20-Poly1305(kO, 0^12, aad = tuple("sb1-offer", id), canonicalJSON({...fields, sig}))
 *     sig = Sig_IKinviter(tuple("sb1-offer", id, canonicalJSON(fields)))
 *   reply = ChaCha20-Poly1305(kR, 0^12, aad = tuple("sb1-redeem", id), canonicalJSON({...fields, sig}))
 *     sig = Sig_IKredeemer(tuple("sb1-redeem", id, SHA-256(offer), canonicalJSON(fields)))
 * kO and kR each seal exactly one plaintext per S, so the zero nonce is safe. The relay never sees S.
 */

const ZERO_NONCE = new Uint8Array(12)

export interface InviteKeys {
  readonly id: Uint8Array
  readonly offerKey: Uint8Array
  readonly replyKey: Uint8Array
}

/** A contact as an opened offer or reply presents it: checked against the relay's claim and ready to pin. */
export interface InviteParty {
  readonly handle: Handle
  readonly accountId: AccountId
  readonly ikPub: Uint8Array
  readonly ek: EncryptionKeyRecord
  readonly fpr: Uint8Array
}

/** Whom the offer or reply is from, as the party itself signs it. */
export interface PartyInput {
  readonly identity: KeyPair
  readonly handle: Handle
  readonly accountId: AccountId
  readonly ek: EncryptionKeyRecord
}

export const deriveInviteKeys = Effect.fn("Invite.deriveKeys")(function* (secret: Uint8Array) {
  const crypto = yield* CloudCrypto
  const none = new Uint8Array(0)
  return {
    id: yield* crypto.hkdfSha256(secret, none, "sb1 invite id", 16),
    offerKey: yield* crypto.hkdfSha256(secret, none, "sb1 invite offer", 32),
    replyKey: yield* crypto.hkdfSha256(secret, none, "sb1 invite reply", 32)
  } satisfies InviteKeys
})

/** A fresh secret and the code that shows it. */
export const newInvite = Effect.gen(function* () {
  const secret = yield* (yield* CloudCrypto).randomBytes(16)
  return { secret, code: encodeInviteCode(secret) }
})

const canonical = <A, I>(schema: Schema.Schema<A, I>, value: A) => encodeCanonical(schema, value).pipe(Effect.orDie)

/** The inviter's sealed offer, for `POST /v1/invites {id, exp, offer}`. */
export const makeOffer = Effect.fn("Invite.makeOffer")(function* (secret: Uint8Array, party: PartyInput, exp: number) {
  const crypto = yield* CloudCrypto
  const keys = yield* deriveInviteKeys(secret)
  const fields: OfferFields = {
    handle: party.handle,
    accountId: party.accountId,
    ikPub: party.identity.publicKey,
    ek: party.ek,
    exp
  }
  const sig = yield* crypto.ed25519Sign(
    party.identity.privateKey,
    tuple("sb1-offer", keys.id, yield* canonical(OfferFields, fields))
  )
  const plaintext = yield* canonical(OfferPlaintext, { ...fields, sig })
  return {
    id: keys.id,
    offer: yield* crypto.aeadSeal(keys.offerKey, ZERO_NONCE, plaintext, tuple("sb1-offer", keys.id))
  }
})

/** What the relay says an invite or redemption is from. */
export interface RelayClaim {
  readonly handle: string
  readonly accountId: string
}

const checkParty = Effect.fn("Invite.checkParty")(function* (
  fields: ReplyFields,
  signed: Uint8Array,
  sig: Uint8Array,
  claim: RelayClaim,
  what: string
) {
  const crypto = yield* CloudCrypto
  if (!(yield* crypto.ed25519Verify(fields.ikPub, signed, sig)))
    return yield* new InviteSignatureInvalid({ detail: `the ${what} is not signed by the key inside it` })
  if (fields.handle !== claim.handle || fields.accountId !== claim.accountId)
    return yield* new InviteFieldMismatch({
      detail: `the relay says ${claim.handle} (${claim.accountId}), the ${what} says ${fields.handle} (${fields.accountId})`
    })
  yield* verifyEncryptionKey(fields.ikPub, fields.ek)
  return { ...fields, fpr: yield* fingerprint(fields.ikPub) } satisfies InviteParty
})

/** The redeemer opens the offer fetched from the relay (`GET /v1/invites/{id}`) with the code's secret. */
export const openOffer = Effect.fn("Invite.openOffer")(function* (
  secret: Uint8Array,
  offer: Uint8Array,
  claim: RelayClaim
) {
  const crypto = yield* CloudCrypto
  const keys = yield* deriveInviteKeys(secret)
  const plaintext = yield* crypto
    .aeadOpen(keys.offerKey, ZERO_NONCE, offer, tuple("sb1-offer", keys.id))
    .pipe(Effect.mapError(() => new InviteOpenFailed({ detail: "the offer does not open with this code" })))
  const opened = decodeCanonical(OfferPlaintext)(plaintext)
  if (Option.isNone(opened)) return yield* new InviteMalformed({ detail: "the offer is not a canonical sb1 offer" })
  const { sig, ...fields } = opened.value
  const signed = tuple("sb1-offer", keys.id, yield* canonical(OfferFields, fields))
  const party = yield* checkParty(fields, signed, sig, claim, "offer")
  const now = yield* Clock.currentTimeMillis
  if (fields.exp <= now) return yield* new InviteExpired({ detail: `the offer expired at ${fields.exp}` })
  return { ...party, exp: fields.exp }
})

/** The redeemer's sealed reply to an offer, for `POST /v1/invites/{id}/redeem {reply}`. */
export const makeReply = Effect.fn("Invite.makeReply")(function* (
  secret: Uint8Array,
  offer: Uint8Array,
  party: PartyInput
) {
  const crypto = yield* CloudCrypto
  const keys = yield* deriveInviteKeys(secret)
  const fields: ReplyFields = {
    handle: party.handle,
    accountId: party.accountId,
    ikPub: party.identity.publicKey,
    ek: party.ek
  }
  const signed = tuple("sb1-redeem", keys.id, yield* crypto.sha256(offer), yield* canonical(ReplyFields, fields))
  const sig = yield* crypto.ed25519Sign(party.identity.privateKey, signed)
  const plaintext = yield* canonical(ReplyPlaintext, { ...fields, sig })
  return yield* crypto.aeadSeal(keys.replyKey, ZERO_NONCE, plaintext, tuple("sb1-redeem", keys.id))
})

/**
 * The inviter opens the reply (from `GET /v1/invites?state=redeemed`) with its own secret and its own copy of the
 * offer, and checks it against the relay's redeemer fields.
 */
export const openReply = Effect.fn("Invite.openReply")(function* (
  secret: Uint8Array,
  offer: Uint8Array,
  reply: Uint8Array,
  claim: RelayClaim
) {
  const crypto = yield* CloudCrypto
  const keys = yield* deriveInviteKeys(secret)
  const plaintext = yield* crypto
    .aeadOpen(keys.replyKey, ZERO_NONCE, reply, tuple("sb1-redeem", keys.id))
    .pipe(Effect.mapError(() => new InviteOpenFailed({ detail: "the reply does not open with this invite's secret" })))
  const opened = decodeCanonical(ReplyPlaintext)(plaintext)
  if (Option.isNone(opened)) return yield* new InviteMalformed({ detail: "the reply is not a canonical sb1 reply" })
  const { sig, ...fields } = opened.value
  const signed = tuple("sb1-redeem", keys.id, yield* crypto.sha256(offer), yield* canonical(ReplyFields, fields))
  return yield* checkParty(fields, signed, sig, claim, "reply")
})
