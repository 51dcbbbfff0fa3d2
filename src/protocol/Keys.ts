import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { tuple } from "./Bytes.js"
import { encodeCanonical } from "./CanonicalJson.js"
import { CloudCrypto, type KeyPair } from "./CloudCrypto.js"
import { KeyRecordInvalid, KeyRolledBack } from "./ProtocolErrors.js"
import { EncryptionKeyFields, type EncryptionKeyRecord } from "./WireSchemas.js"

/*
 * Identity keys (Ed25519) and the signed, rotating encryption-key records (X25519) of CLOUD.md 2.2 and 2.11.
 * A record's signature is Sig_IK(tuple("sb1-ek", canonicalJSON({keyId, pub, notBefore, notAfter, seq}))).
 */

/** An account's encryption key: the published record and the X25519 private key (PKCS8) it names. */
export interface EncryptionKey {
  readonly record: EncryptionKeyRecord
  readonly privateKey: Uint8Array
}

/** `fpr = SHA-256(IK_pub)`: 32 bytes. */
export const fingerprint = (ikPub: Uint8Array): Effect.Effect<Uint8Array, never, CloudCrypto> =>
  Effect.flatMap(CloudCrypto, (crypto) => crypto.sha256(ikPub))

/** A new identity key pair. */
export const generateIdentity: Effect.Effect<KeyPair, never, CloudCrypto> = Effect.flatMap(
  CloudCrypto,
  (crypto) => crypto.ed25519Generate
)

const signedBytes = (fields: EncryptionKeyFields) =>
  encodeCanonical(EncryptionKeyFields, fields).pipe(
    Effect.map((json) => tuple("sb1-ek", json)),
    Effect.mapError((error) => new KeyRecordInvalid({ detail: error.message }))
  )

/** A fresh X25519 key and its record signed by `identity`. */
export const generateEncryptionKey = Effect.fn("Keys.generateEncryptionKey")(function* (
  identity: KeyPair,
  fields: Omit<EncryptionKeyFields, "pub">
) {
  const crypto = yield* CloudCrypto
  const pair = yield* crypto.x25519Generate
  const unsigned: EncryptionKeyFields = { ...fields, pub: pair.publicKey }
  const sig = yield* crypto.ed25519Sign(identity.privateKey, yield* signedBytes(unsigned))
  return { record: { ...unsigned, sig }, privateKey: pair.privateKey } satisfies EncryptionKey
})

/** Checks a record's signature against the identity key it claims to come from. */
export const verifyEncryptionKey = Effect.fn("Keys.verifyEncryptionKey")(function* (
  ikPub: Uint8Array,
  record: EncryptionKeyRecord
) {
  const crypto = yield* CloudCrypto
  const { sig, ...fields } = record
  if (fields.notAfter <= fields.notBefore)
    return yield* new KeyRecordInvalid({ detail: `${record.keyId}: notAfter is not after notBefore` })
  if (!(yield* crypto.ed25519Verify(ikPub, yield* signedBytes(fields), sig)))
    return yield* new KeyRecordInvalid({
      detail: `${record.keyId}: the signature does not verify with the identity key`
    })
  return record
})

/**
 * The record to use from now on, given the one already pinned for this contact: the signature must verify, and the
 * seq may not go down (a lower seq is a rollback). An equal seq must be the same key.
 */
export const acceptEncryptionKey = Effect.fn("Keys.acceptEncryptionKey")(function* (
  ikPub: Uint8Array,
  record: EncryptionKeyRecord,
  pinned: Option.Option<EncryptionKeyRecord>
) {
  yield* verifyEncryptionKey(ikPub, record)
  if (Option.isSome(pinned)) {
    const seen = pinned.value
    if (record.seq < seen.seq)
      return yield* new KeyRolledBack({ detail: `${record.keyId} has seq ${record.seq}, but seq ${seen.seq} was seen` })
    if (record.seq === seen.seq && (record.keyId !== seen.keyId || toKey(record) !== toKey(seen)))
      return yield* new KeyRolledBack({ detail: `two different keys share seq ${record.seq}` })
  }
  return record
})

const toKey = (record: EncryptionKeyRecord): string => `${record.keyId}:${Array.from(record.pub).join(",")}`

/** Why a sender may not seal to `record` at `now` (outside its validity window), or undefined when it may. */
export const notCurrent = (record: EncryptionKeyRecord, now: number): KeyRecordInvalid | undefined =>
  now < record.notBefore || now >= record.notAfter
    ? new KeyRecordInvalid({ detail: `${record.keyId} is not valid now (${record.notBefore}-${record.notAfter})` })
    : undefined

/** A sender may seal to a record only inside its validity window. */
export const requireCurrent = Effect.fn("Keys.requireCurrent")(function* (record: EncryptionKeyRecord) {
  const invalid = notCurrent(record, yield* Clock.currentTimeMillis)
  if (invalid !== undefined) return yield* invalid
  return record
})
