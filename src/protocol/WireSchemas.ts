import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { MessageId } from "../domain/Ulid.js"
import { decodeBase64Url, encodeBase64Url } from "./Base64Url.js"

/*
 * Every sb1 shape that travels or is signed. Binary fields are base64url (RFC 4648 §5, no padding) on the wire.
 * Times are unix milliseconds, except the envelope's `exp`, which is unix seconds (the relay's TTL field).
 * Identifiers that appear in the `|`-separated header H are restricted to characters that exclude `|`.
 */

/**
 * Bytes as base64url text: `Schema.Uint8ArrayFromBase64Url` with the codec of Base64Url.ts. Unpadded text of the
 * alphabet takes the fast path; anything else goes through effect's decoder, which accepts what it always did
 * (padding, line breaks) and refuses the rest with the same messages. Encodes unpadded.
 */
export const Base64UrlBytes = Schema.transformOrFail(
  Schema.String.annotations({ description: "a string to be decoded into a Uint8Array" }),
  Schema.Uint8ArrayFromSelf,
  {
    strict: true,
    decode: (text, _, ast) => {
      const bytes = decodeBase64Url(text)
      if (bytes !== undefined) return ParseResult.succeed(bytes)
      return Either.mapLeft(Encoding.decodeBase64Url(text), (e) => new ParseResult.Type(ast, text, e.message))
    },
    encode: (bytes) => ParseResult.succeed(encodeBase64Url(bytes))
  }
).annotations({ identifier: "Uint8ArrayFromBase64Url" })

const fixedBytes = (length: number, what: string) =>
  Base64UrlBytes.pipe(Schema.filter((bytes) => bytes.length === length || `${what} is ${length} bytes (base64url)`))

/** A raw 32-byte Ed25519 or X25519 public key. */
export const PublicKey = fixedBytes(32, "a public key")
/** A 64-byte Ed25519 signature. */
export const Signature = fixedBytes(64, "a signature")
/** A 32-byte symmetric key. */
export const SymmetricKey = fixedBytes(32, "a key")

export const Handle = Schema.String.pipe(
  Schema.filter((s) => /^[a-z0-9-]{2,32}$/.test(s) || "a handle is 2-32 of a-z, 0-9 and -")
)
export type Handle = typeof Handle.Type

/** The relay's account id. */
export const AccountId = Schema.String.pipe(
  Schema.filter(
    (s) => /^acct_[0-9A-Za-z]{1,40}$/.test(s) || "an account id is acct_ followed by 1-40 letters or digits"
  )
)
export type AccountId = typeof AccountId.Type

/** Which of an account's encryption keys. */
export const KeyId = Schema.String.pipe(
  Schema.filter((s) => /^ek_[0-9A-Za-z]{1,40}$/.test(s) || "a key id is ek_ followed by 1-40 letters or digits")
)
export type KeyId = typeof KeyId.Type

const Millis = Schema.Int.pipe(Schema.nonNegative())
const Hex64 = Schema.String.pipe(Schema.filter((s) => /^[0-9a-f]{64}$/.test(s) || "a lowercase hex SHA-256"))

/** The signed part of an encryption-key record. */
export const EncryptionKeyFields = Schema.Struct({
  keyId: KeyId,
  pub: PublicKey,
  notBefore: Millis,
  notAfter: Millis,
  seq: Millis
})
export type EncryptionKeyFields = typeof EncryptionKeyFields.Type

/** An X25519 key published by an account, signed by its identity key. */
export const EncryptionKeyRecord = Schema.Struct({ ...EncryptionKeyFields.fields, sig: Signature })
export type EncryptionKeyRecord = typeof EncryptionKeyRecord.Type

/** What the relay stores and routes (CLOUD.md 2.4). */
export const Envelope = Schema.Struct({
  v: Schema.Literal(1),
  id: MessageId,
  to: AccountId,
  exp: Millis,
  rk: KeyId,
  ct: Base64UrlBytes
})
export type Envelope = typeof Envelope.Type

export const ArtifactRef = Schema.Struct({
  sha256: Hex64,
  size: Schema.Int.pipe(Schema.between(0, 10 * 1024 * 1024)),
  name: Schema.optional(Schema.String),
  mime: Schema.optional(Schema.String),
  blob: Hex64,
  key: SymmetricKey
})
export type ArtifactRef = typeof ArtifactRef.Type

export const InnerTarget = Schema.Union(
  Schema.Struct({ label: Schema.String }),
  Schema.Struct({ session: Schema.String }),
  Schema.Struct({ any: Schema.Literal(true) })
)

/** The most receipts one `receipts` envelope carries (the sender starts another past it). */
export const RECEIPTS_MAX = 64

/** One report of a `receipts` envelope: the state (`surfaced`, `read`) of the message `id` this account sent. */
export const ReceiptItem = Schema.Struct({ id: Schema.String, state: Schema.Literal("surfaced", "read") })
export type ReceiptItem = typeof ReceiptItem.Type

/** The sealed plaintext's JSON (after the 64-byte signature). */
export const Inner = Schema.Struct({
  kind: Schema.Literal("message", "receipt", "receipts", "presence-probe", "presence"),
  ts: Millis,
  fromHandle: Handle,
  fromSession: Schema.optional(
    Schema.Struct({ label: Schema.optional(Schema.String), cli: Schema.optional(Schema.String) })
  ),
  to: InnerTarget,
  subject: Schema.optional(Schema.String),
  body: Schema.optional(Schema.String),
  threadId: Schema.optional(Schema.String),
  replyTo: Schema.optional(Schema.String),
  artifacts: Schema.optional(Schema.Array(ArtifactRef).pipe(Schema.maxItems(8))),
  /** Kind `receipts`: several receipts in one envelope (docs/adr/0058-several-receipts-in-one-envelope.md). */
  receipts: Schema.optional(Schema.Array(ReceiptItem).pipe(Schema.minItems(1), Schema.maxItems(RECEIPTS_MAX))),
  /** Set by a sender that opens kind `receipts`: its contacts may send it receipts that way. */
  receiptLists: Schema.optional(Schema.Literal(true)),
  pad: Schema.String
})
export type Inner = typeof Inner.Type
/** An inner message before sealing: `pad` is chosen by `seal`. */
export type InnerDraft = Omit<Inner, "pad">

/** The signed fields of an invite offer (AEAD under kO). */
export const OfferFields = Schema.Struct({
  handle: Handle,
  accountId: AccountId,
  ikPub: PublicKey,
  ek: EncryptionKeyRecord,
  exp: Millis
})
export type OfferFields = typeof OfferFields.Type
export const OfferPlaintext = Schema.Struct({ ...OfferFields.fields, sig: Signature })

/** The signed fields of an invite reply (AEAD under kR). */
export const ReplyFields = Schema.Struct({
  handle: Handle,
  accountId: AccountId,
  ikPub: PublicKey,
  ek: EncryptionKeyRecord
})
export type ReplyFields = typeof ReplyFields.Type
export const ReplyPlaintext = Schema.Struct({ ...ReplyFields.fields, sig: Signature })

/** `Sig_IK("sb1-register" ‖ relayId ‖ handle ‖ ts)` with what it covers. */
export const RegistrationProof = Schema.Struct({
  relayId: Schema.String,
  handle: Handle,
  ikPub: PublicKey,
  ts: Millis,
  sig: Signature
})
export type RegistrationProof = typeof RegistrationProof.Type

/** An identity-key rotation, signed by the old and the new key. */
export const RotationStatement = Schema.Struct({
  oldIk: PublicKey,
  newIk: PublicKey,
  ts: Millis,
  sigOld: Signature,
  sigNew: Signature
})
export type RotationStatement = typeof RotationStatement.Type
