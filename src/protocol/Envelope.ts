import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { MessageId } from "../domain/Ulid.js"
import { concat, toHex, tuple, utf8, utf8Length } from "./Bytes.js"
import { canonicalEncoder, decodeCanonical } from "./CanonicalJson.js"
import { CloudCrypto, type CloudCryptoSync, type KeyPair } from "./CloudCrypto.js"
import { type EncryptionKey, notCurrent } from "./Keys.js"
import { localIdWith } from "./LocalId.js"
import { bucketFor, CT_OVERHEAD, MAX_BODY_BYTES, MAX_CT_BYTES } from "./Padding.js"
import {
  BodyTooLarge,
  EnvelopeFromFuture,
  EnvelopeMalformed,
  EnvelopeMisrouted,
  EnvelopeTampered,
  EnvelopeTooOld,
  type KeyMaterialInvalid,
  type KeyRecordInvalid,
  PayloadTooLarge,
  SenderMismatch,
  SignatureInvalid,
  UnknownRecipientKey
} from "./ProtocolErrors.js"
import {
  type AccountId,
  type EncryptionKeyRecord,
  Envelope,
  type Handle,
  Inner,
  type InnerDraft,
  type KeyId
} from "./WireSchemas.js"

/*
 * The sealed envelope of CLOUD.md 2.4; byte layouts in docs/cloud-protocol.md.
 *   H   = "sb1|" id "|" fromAccountId "|" to "|" exp "|" rk            (ASCII; no field can contain "|")
 *   key = HKDF-SHA256(ikm = X25519(eph, EK), salt = eph_pk ‖ EK_pub, info = "sb1 msg", 32)
 *   ct  = eph_pk(32) ‖ ChaCha20-Poly1305(key, nonce = 0^12, aad = H, sig(64) ‖ innerJSON)
 *   sig = Sig_IKsender(tuple("sb1-sig", H, fpr(recipient IK), innerJSON))
 */

const ZERO_NONCE = new Uint8Array(12)
const MINUTE = 60_000
/** Accepted skew into the future, and the oldest accepted ts (the longest spool TTL plus skew). */
export const FUTURE_SKEW_MS = 10 * MINUTE
export const MAX_AGE_MS = 7 * 24 * 60 * MINUTE + 10 * MINUTE

export const header = (id: MessageId, fromAccountId: AccountId, to: AccountId, exp: number, rk: KeyId): string =>
  `sb1|${id}|${fromAccountId}|${to}|${exp}|${rk}`

/** Whom a message comes from: the sender's account and identity key. */
export interface Sender {
  readonly accountId: AccountId
  readonly identity: KeyPair
}

/** A contact as pinned locally: what sealing to it, and opening from it, is checked against. */
export interface Contact {
  readonly accountId: AccountId
  readonly handle: Handle
  readonly ikPub: Uint8Array
}

export interface SealInput {
  readonly id: MessageId
  /** Unix seconds: when the relay drops it. */
  readonly exp: number
  readonly from: Sender
  readonly to: Contact & { readonly ek: EncryptionKeyRecord }
  readonly inner: InnerDraft
}

/** This account, as a receiver: its id, identity key and the encryption keys it still holds, by key id. */
export interface Receiver {
  readonly accountId: AccountId
  readonly ikPub: Uint8Array
  /** Identity keys this account rotated away from that a sender may still have sealed to (CLOUD.md 2.11). */
  readonly previousIkPubs?: ReadonlyArray<Uint8Array>
  readonly keys: (rk: KeyId) => Option.Option<EncryptionKey>
}

/** An envelope that passed every crypto check, with the `(senderFpr, id)` pair the seen-ledger is keyed on. */
export interface Opened {
  readonly id: MessageId
  readonly senderFpr: Uint8Array
  /** `hex(senderFpr) + ":" + id`. */
  readonly ledgerKey: string
  readonly localId: MessageId
  readonly inner: Inner
}

const encodeInner = canonicalEncoder(Inner)
const decodeInner = decodeCanonical(Inner)
const validEnvelope = Schema.validateSync(Envelope)

/**
 * The canonical inner JSON, padded so that the ct lands exactly on a bucket size. It is written once with an empty
 * pad: the only `"pad":""` in that text is the top-level field (a quote inside a string is escaped, and no other
 * object of the schema has a `pad` key), so the zeros are spliced in there.
 */
const paddedJson = (draft: InnerDraft): Either.Either<Uint8Array, EnvelopeMalformed | PayloadTooLarge> => {
  const text = encodeInner({ ...draft, pad: "" })
  if (Either.isLeft(text)) return Either.left(new EnvelopeMalformed({ detail: text.left.message }))
  const length = utf8Length(text.right)
  const bucket = bucketFor(length)
  if (bucket === undefined)
    return Either.left(new PayloadTooLarge({ detail: `${length} bytes of JSON, more than one envelope holds` }))
  return Either.right(utf8(text.right.replace(EMPTY_PAD, `"pad":"${"0".repeat(bucket - CT_OVERHEAD - length)}"`)))
}
const EMPTY_PAD = `"pad":""`

/**
 * Seals a message for one contact's current encryption key: one step of the caller's fiber, with no tracing span,
 * since it runs for every message and receipt a daemon sends (docs/adr/0054-sb1-seal-and-open-on-the-hot-path.md).
 */
export const seal = (input: SealInput): Effect.Effect<Envelope, SealError, CloudCrypto> =>
  Effect.flatMap(CloudCrypto, (crypto) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => sealWith(crypto.sync, input, now))
  )

/** What sealing refuses: a body or JSON too large, a key out of its window, key bytes that are not a key. */
export type SealError = BodyTooLarge | KeyRecordInvalid | EnvelopeMalformed | PayloadTooLarge | KeyMaterialInvalid

const sealWith = (crypto: CloudCryptoSync, input: SealInput, now: number): Either.Either<Envelope, SealError> => {
  const bodyBytes = utf8Length(input.inner.body ?? "")
  if (bodyBytes > MAX_BODY_BYTES)
    return Either.left(new BodyTooLarge({ detail: `${bodyBytes} bytes of body, at most ${MAX_BODY_BYTES}` }))
  const ek = input.to.ek
  const stale = notCurrent(ek, now)
  if (stale !== undefined) return Either.left(stale)
  const json = paddedJson(input.inner)
  if (Either.isLeft(json)) return Either.left(json.left)
  const h = header(input.id, input.from.accountId, input.to.accountId, input.exp, ek.keyId)
  const signed = tuple("sb1-sig", h, crypto.sha256(input.to.ikPub), json.right)
  const sig = crypto.ed25519Sign(input.from.identity.privateKey, signed)
  if (Either.isLeft(sig)) return Either.left(sig.left)
  const eph = crypto.x25519Generate()
  const shared = crypto.x25519(eph.privateKey, ek.pub)
  if (Either.isLeft(shared)) return Either.left(shared.left)
  const key = crypto.hkdfSha256(shared.right, concat(eph.publicKey, ek.pub), "sb1 msg", 32)
  const sealed = crypto.aeadSeal(key, ZERO_NONCE, concat(sig.right, json.right), utf8(h))
  const ct = concat(eph.publicKey, sealed)
  return Either.right(validEnvelope({ v: 1, id: input.id, to: input.to.accountId, exp: input.exp, rk: ek.keyId, ct }))
}

/** The wire JSON (base64url ct) of an envelope, and back. */
export const encodeEnvelope = Schema.encodeSync(Envelope)
export const decodeEnvelope = (wire: unknown) =>
  Schema.decodeUnknown(Envelope)(wire).pipe(
    Effect.mapError((error) => new EnvelopeMalformed({ detail: error.message }))
  )

/**
 * Opens an envelope the relay delivered as coming from `sender`: the daemon has already resolved the relay's
 * `from` to an active pinned contact (check 1 of CLOUD.md 2.4). Runs checks 2-6 in order; the seen-ledger
 * (check 7) is the caller's, keyed on the returned `ledgerKey`. No tracing span, like `seal`.
 */
export const open = (
  envelope: Envelope,
  sender: Contact,
  receiver: Receiver
): Effect.Effect<Opened, OpenError, CloudCrypto> =>
  Effect.flatMap(CloudCrypto, (crypto) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => openWith(crypto.sync, envelope, sender, receiver, now))
  )

/** What opening refuses, checks 2-6 of CLOUD.md 2.4. */
export type OpenError =
  | EnvelopeMisrouted
  | PayloadTooLarge
  | UnknownRecipientKey
  | EnvelopeTampered
  | SignatureInvalid
  | EnvelopeMalformed
  | SenderMismatch
  | EnvelopeFromFuture
  | EnvelopeTooOld

const openWith = (
  crypto: CloudCryptoSync,
  envelope: Envelope,
  sender: Contact,
  receiver: Receiver,
  now: number
): Either.Either<Opened, OpenError> => {
  if (envelope.to !== receiver.accountId)
    return Either.left(
      new EnvelopeMisrouted({ detail: `addressed to ${envelope.to}, this account is ${receiver.accountId}` })
    )
  if (envelope.ct.length > MAX_CT_BYTES)
    return Either.left(new PayloadTooLarge({ detail: `ct is ${envelope.ct.length} bytes, at most ${MAX_CT_BYTES}` }))
  const key = receiver.keys(envelope.rk)
  if (Option.isNone(key)) return Either.left(new UnknownRecipientKey({ detail: envelope.rk }))
  if (envelope.ct.length < CT_OVERHEAD)
    return Either.left(new EnvelopeTampered({ detail: `ct is only ${envelope.ct.length} bytes` }))
  const tampered = () => Either.left(new EnvelopeTampered({ detail: `envelope ${envelope.id} from ${sender.handle}` }))
  const h = header(envelope.id, sender.accountId, envelope.to, envelope.exp, envelope.rk)
  const ephPub = envelope.ct.subarray(0, 32)
  const shared = crypto.x25519(key.value.privateKey, ephPub)
  if (Either.isLeft(shared)) return tampered()
  const aeadKey = crypto.hkdfSha256(shared.right, concat(ephPub, key.value.record.pub), "sb1 msg", 32)
  const plain = crypto.aeadOpen(aeadKey, ZERO_NONCE, envelope.ct.subarray(32), utf8(h))
  if (Either.isLeft(plain)) return tampered()
  const sig = plain.right.subarray(0, 64)
  const json = plain.right.subarray(64)
  const signedFor = (ik: Uint8Array) =>
    crypto.ed25519Verify(sender.ikPub, tuple("sb1-sig", h, crypto.sha256(ik), json), sig)
  if (!signedFor(receiver.ikPub) && !(receiver.previousIkPubs ?? []).some(signedFor))
    return Either.left(
      new SignatureInvalid({ detail: `envelope ${envelope.id} is not signed by ${sender.handle}'s pinned key` })
    )
  const inner = decodeInner(json)
  if (Option.isNone(inner))
    return Either.left(
      new EnvelopeMalformed({ detail: `envelope ${envelope.id}: the inner JSON is not a canonical sb1 message` })
    )
  const { fromHandle, ts } = inner.value
  if (fromHandle !== sender.handle)
    return Either.left(new SenderMismatch({ detail: `signed as ${fromHandle}, pinned as ${sender.handle}` }))
  if (ts > now + FUTURE_SKEW_MS)
    return Either.left(new EnvelopeFromFuture({ detail: `ts ${ts} is ${ts - now} ms ahead` }))
  if (ts < now - MAX_AGE_MS) return Either.left(new EnvelopeTooOld({ detail: `ts ${ts} is ${now - ts} ms old` }))
  const senderFpr = crypto.sha256(sender.ikPub)
  return Either.right({
    id: envelope.id,
    senderFpr,
    ledgerKey: `${toHex(senderFpr)}:${envelope.id}`,
    localId: localIdWith(crypto.sha256, senderFpr, envelope.id, ts),
    inner: inner.value
  } satisfies Opened)
}
