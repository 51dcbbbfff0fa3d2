import { CodedError, errorBook } from "../domain/ErrorCodes.js"

/*
 * The sb1 protocol's failures. Each kind is its own tagged error; `code` is the stable code a boundary shows and
 * `reason` the stable reason the daemon quarantines with. Both come from one table (PROTOCOL_ERRORS), listed in
 * docs/cloud-protocol.md. None of these belong to the local BridgeFailure ladder.
 */

export const PROTOCOL_ERRORS = {
  KeyMaterialInvalid: {
    code: "CRYPTO_KEY_INVALID",
    reason: "key_invalid",
    summary: "a key is not a well-formed Ed25519/X25519 key, or an X25519 agreement gave the all-zero secret"
  },
  AeadFailed: {
    code: "CRYPTO_AEAD_FAILED",
    reason: "aead",
    summary: "ChaCha20-Poly1305 refused the ciphertext (wrong key, nonce or AAD, or altered bytes)"
  },
  BodyTooLarge: {
    code: "BODY_TOO_LARGE",
    reason: "body_too_large",
    summary: "the body is over 64 KiB of UTF-8 (checked before sealing)"
  },
  PayloadTooLarge: {
    code: "PAYLOAD_TOO_LARGE",
    reason: "too_large",
    summary: "the sealed envelope would be (or is) over 512 KiB decoded"
  },
  EnvelopeMalformed: {
    code: "ENVELOPE_INVALID",
    reason: "malformed",
    summary: "the envelope or its plaintext does not have the sb1 shape"
  },
  EnvelopeMisrouted: {
    code: "ENVELOPE_INVALID",
    reason: "misrouted",
    summary: "the envelope is addressed to another account"
  },
  UnknownRecipientKey: {
    code: "ENVELOPE_INVALID",
    reason: "unknown_key",
    summary: "`rk` names no encryption key this account holds"
  },
  EnvelopeTampered: {
    code: "ENVELOPE_INVALID",
    reason: "aead",
    summary: "the AEAD did not open: altered ciphertext or header, or a wrong key"
  },
  SignatureInvalid: {
    code: "ENVELOPE_INVALID",
    reason: "signature",
    summary: "the inner signature does not verify with the sender's pinned identity key"
  },
  SenderMismatch: {
    code: "ENVELOPE_INVALID",
    reason: "sender_mismatch",
    summary: "the signed fromHandle is not the pinned contact's handle"
  },
  EnvelopeTooOld: {
    code: "ENVELOPE_INVALID",
    reason: "too_old",
    summary: "the signed ts is older than now - (7 d + 10 min)"
  },
  EnvelopeFromFuture: {
    code: "ENVELOPE_INVALID",
    reason: "future",
    summary: "the signed ts is more than 10 min ahead of now"
  },
  KeyRecordInvalid: {
    code: "KEY_RECORD_INVALID",
    reason: "key_record",
    summary: "an encryption-key record is malformed or not signed by the identity key"
  },
  KeyRolledBack: {
    code: "KEY_ROLLBACK",
    reason: "rollback",
    summary: "an encryption-key record has a lower seq than one already seen"
  },
  InviteCodeInvalid: { code: "INVITE_CODE_INVALID", reason: "code", summary: "the text is not an sb1 invite code" },
  InviteMalformed: {
    code: "INVITE_INVALID",
    reason: "malformed",
    summary: "an opened offer or reply does not have the sb1 shape"
  },
  InviteOpenFailed: {
    code: "INVITE_INVALID",
    reason: "aead",
    summary: "the offer or reply does not open with the key derived from the code"
  },
  InviteSignatureInvalid: {
    code: "INVITE_INVALID",
    reason: "signature",
    summary: "the offer or reply signature does not verify"
  },
  InviteFieldMismatch: {
    code: "INVITE_INVALID",
    reason: "field_mismatch",
    summary: "the relay's handle/account id differ from the signed ones"
  },
  InviteExpired: { code: "INVITE_EXPIRED", reason: "expired", summary: "the offer's signed expiry has passed" },
  RegistrationProofInvalid: {
    code: "REGISTRATION_PROOF_INVALID",
    reason: "signature",
    summary: "the registration proof does not verify"
  },
  RegistrationProofStale: {
    code: "REGISTRATION_PROOF_INVALID",
    reason: "stale",
    summary: "the registration proof's ts is more than 5 min from now"
  },
  RotationInvalid: {
    code: "ROTATION_INVALID",
    reason: "rotation",
    summary: "an identity rotation statement is not signed by both the pinned and the new key"
  },
  ArtifactTooLarge: {
    code: "ARTIFACT_TOO_LARGE",
    reason: "too_large",
    summary: "the artifact is over 10 MiB of plaintext"
  },
  ArtifactChunkInvalid: {
    code: "ARTIFACT_INVALID",
    reason: "chunk",
    summary: "a chunk does not open at its position: altered, reordered or wrong key"
  },
  ArtifactTruncated: {
    code: "ARTIFACT_INVALID",
    reason: "truncated",
    summary: "the ciphertext ends before the chunk flagged last"
  },
  ArtifactHashMismatch: {
    code: "ARTIFACT_INVALID",
    reason: "hash",
    summary: "the decrypted bytes do not have the announced SHA-256"
  }
} as const

export type ProtocolErrorTag = keyof typeof PROTOCOL_ERRORS
export type ProtocolErrorCode = (typeof PROTOCOL_ERRORS)[ProtocolErrorTag]["code"]

/** One tagged error class per table row; `detail` says what exactly was wrong. */
/** The table as an error book: tags, codes, `codeOf` and `is`. */
export const protocolErrors = errorBook(PROTOCOL_ERRORS)

const ProtocolFailure = <Tag extends ProtocolErrorTag>(tag: Tag) =>
  class extends CodedError(protocolErrors)(tag)<{ readonly detail: string }> {
    get reason(): (typeof PROTOCOL_ERRORS)[Tag]["reason"] {
      return PROTOCOL_ERRORS[tag].reason
    }
    override get message(): string {
      return `${PROTOCOL_ERRORS[tag].summary}: ${this.detail}`
    }
  }

/** A key is not a well-formed Ed25519/X25519 key, or an X25519 agreement gave the all-zero secret. */
export class KeyMaterialInvalid extends ProtocolFailure("KeyMaterialInvalid") {}
/** ChaCha20-Poly1305 refused the ciphertext (wrong key, nonce or AAD, or altered bytes). */
export class AeadFailed extends ProtocolFailure("AeadFailed") {}
/** The body is over 64 KiB of UTF-8 (checked before sealing). */
export class BodyTooLarge extends ProtocolFailure("BodyTooLarge") {}
/** The sealed envelope would be (or is) over 512 KiB decoded. */
export class PayloadTooLarge extends ProtocolFailure("PayloadTooLarge") {}
/** The envelope or its plaintext does not have the sb1 shape. */
export class EnvelopeMalformed extends ProtocolFailure("EnvelopeMalformed") {}
/** The envelope is addressed to another account. */
export class EnvelopeMisrouted extends ProtocolFailure("EnvelopeMisrouted") {}
/** `rk` names no encryption key this account holds. */
export class UnknownRecipientKey extends ProtocolFailure("UnknownRecipientKey") {}
/** The AEAD did not open: altered ciphertext or header, or a wrong key. */
export class EnvelopeTampered extends ProtocolFailure("EnvelopeTampered") {}
/** The inner signature does not verify with the sender's pinned identity key. */
export class SignatureInvalid extends ProtocolFailure("SignatureInvalid") {}
/** The signed fromHandle is not the pinned contact's handle. */
export class SenderMismatch extends ProtocolFailure("SenderMismatch") {}
/** The signed ts is older than now - (7 d + 10 min). */
export class EnvelopeTooOld extends ProtocolFailure("EnvelopeTooOld") {}
/** The signed ts is more than 10 min ahead of now. */
export class EnvelopeFromFuture extends ProtocolFailure("EnvelopeFromFuture") {}
/** An encryption-key record is malformed or not signed by the identity key. */
export class KeyRecordInvalid extends ProtocolFailure("KeyRecordInvalid") {}
/** An encryption-key record has a lower seq than one already seen. */
export class KeyRolledBack extends ProtocolFailure("KeyRolledBack") {}
/** The text is not an sb1 invite code. */
export class InviteCodeInvalid extends ProtocolFailure("InviteCodeInvalid") {}
/** An opened offer or reply does not have the sb1 shape. */
export class InviteMalformed extends ProtocolFailure("InviteMalformed") {}
/** The offer or reply does not open with the key derived from the code. */
export class InviteOpenFailed extends ProtocolFailure("InviteOpenFailed") {}
/** The offer or reply signature does not verify. */
export class InviteSignatureInvalid extends ProtocolFailure("InviteSignatureInvalid") {}
/** The relay's handle/account id differ from the signed ones. */
export class InviteFieldMismatch extends ProtocolFailure("InviteFieldMismatch") {}
/** The offer's signed expiry has passed. */
export class InviteExpired extends ProtocolFailure("InviteExpired") {}
/** The registration proof does not verify. */
export class RegistrationProofInvalid extends ProtocolFailure("RegistrationProofInvalid") {}
/** The registration proof's ts is more than 5 min from now. */
export class RegistrationProofStale extends ProtocolFailure("RegistrationProofStale") {}
/** An identity rotation statement is not signed by both the pinned and the new key. */
export class RotationInvalid extends ProtocolFailure("RotationInvalid") {}
/** The artifact is over 10 MiB of plaintext. */
export class ArtifactTooLarge extends ProtocolFailure("ArtifactTooLarge") {}
/** A chunk does not open at its position: altered, reordered or wrong key. */
export class ArtifactChunkInvalid extends ProtocolFailure("ArtifactChunkInvalid") {}
/** The ciphertext ends before the chunk flagged last. */
export class ArtifactTruncated extends ProtocolFailure("ArtifactTruncated") {}
/** The decrypted bytes do not have the announced SHA-256. */
export class ArtifactHashMismatch extends ProtocolFailure("ArtifactHashMismatch") {}

/** Every sb1 failure. */
export type ProtocolError =
  | KeyMaterialInvalid
  | AeadFailed
  | BodyTooLarge
  | PayloadTooLarge
  | EnvelopeMalformed
  | EnvelopeMisrouted
  | UnknownRecipientKey
  | EnvelopeTampered
  | SignatureInvalid
  | SenderMismatch
  | EnvelopeTooOld
  | EnvelopeFromFuture
  | KeyRecordInvalid
  | KeyRolledBack
  | InviteCodeInvalid
  | InviteMalformed
  | InviteOpenFailed
  | InviteSignatureInvalid
  | InviteFieldMismatch
  | InviteExpired
  | RegistrationProofInvalid
  | RegistrationProofStale
  | RotationInvalid
  | ArtifactTooLarge
  | ArtifactChunkInvalid
  | ArtifactTruncated
  | ArtifactHashMismatch
