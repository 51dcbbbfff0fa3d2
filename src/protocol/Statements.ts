import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { bytesEqual, tuple } from "./Bytes.js"
import { CloudCrypto, type KeyPair } from "./CloudCrypto.js"
import { fingerprint } from "./Keys.js"
import { RegistrationProofInvalid, RegistrationProofStale, RotationInvalid } from "./ProtocolErrors.js"
import type { Handle, RegistrationProof, RotationStatement } from "./WireSchemas.js"

/*
 * Signed statements outside envelopes (CLOUD.md 2.2, 2.11); ts is unix milliseconds.
 *   registration: Sig_IK(tuple("sb1-register", relayId, handle, u64be(ts)))
 *   rotation:     m = tuple("sb1-rotate", IKold, IKnew, u64be(ts)); sigOld = Sig_IKold(m), sigNew = Sig_IKnew(m)
 */

/** How far a registration proof's ts may be from the relay's clock. */
export const REGISTRATION_WINDOW_MS = 5 * 60_000
/** How far into the future a rotation statement may be dated. */
export const ROTATION_SKEW_MS = 10 * 60_000

const registrationBytes = (relayId: string, handle: string, ts: number) => tuple("sb1-register", relayId, handle, ts)

export const makeRegistrationProof = Effect.fn("Statements.makeRegistrationProof")(function* (
  identity: KeyPair,
  relayId: string,
  handle: Handle
) {
  const crypto = yield* CloudCrypto
  const ts = yield* Clock.currentTimeMillis
  const sig = yield* crypto.ed25519Sign(identity.privateKey, registrationBytes(relayId, handle, ts))
  return { relayId, handle, ikPub: identity.publicKey, ts, sig } satisfies RegistrationProof
})

/** The relay's check: signed by the key being registered, for this relay, within ±5 min of its clock. */
export const verifyRegistrationProof = Effect.fn("Statements.verifyRegistrationProof")(function* (
  proof: RegistrationProof,
  relayId: string
) {
  const crypto = yield* CloudCrypto
  const signed = registrationBytes(relayId, proof.handle, proof.ts)
  if (proof.relayId !== relayId || !(yield* crypto.ed25519Verify(proof.ikPub, signed, proof.sig)))
    return yield* new RegistrationProofInvalid({ detail: `not a proof for ${proof.handle} on this relay` })
  const now = yield* Clock.currentTimeMillis
  if (Math.abs(now - proof.ts) > REGISTRATION_WINDOW_MS)
    return yield* new RegistrationProofStale({ detail: `ts ${proof.ts} is ${now - proof.ts} ms from now` })
  return proof
})

const rotationBytes = (oldIk: Uint8Array, newIk: Uint8Array, ts: number) => tuple("sb1-rotate", oldIk, newIk, ts)

export const makeRotation = Effect.fn("Statements.makeRotation")(function* (
  oldIdentity: KeyPair,
  newIdentity: KeyPair
) {
  const crypto = yield* CloudCrypto
  const ts = yield* Clock.currentTimeMillis
  const message = rotationBytes(oldIdentity.publicKey, newIdentity.publicKey, ts)
  return {
    oldIk: oldIdentity.publicKey,
    newIk: newIdentity.publicKey,
    ts,
    sigOld: yield* crypto.ed25519Sign(oldIdentity.privateKey, message),
    sigNew: yield* crypto.ed25519Sign(newIdentity.privateKey, message)
  } satisfies RotationStatement
})

/**
 * A contact's check before re-pinning: the statement starts from the key pinned for that contact and both keys
 * signed it. Returns the new key's fingerprint; the caller shows "key changed" with the new safety number.
 */
export const verifyRotation = Effect.fn("Statements.verifyRotation")(function* (
  pinnedIk: Uint8Array,
  statement: RotationStatement
) {
  const crypto = yield* CloudCrypto
  if (!bytesEqual(pinnedIk, statement.oldIk))
    return yield* new RotationInvalid({ detail: "the statement does not start from the pinned identity key" })
  if (bytesEqual(statement.oldIk, statement.newIk))
    return yield* new RotationInvalid({ detail: "the new identity key is the old one" })
  const message = rotationBytes(statement.oldIk, statement.newIk, statement.ts)
  if (!(yield* crypto.ed25519Verify(statement.oldIk, message, statement.sigOld)))
    return yield* new RotationInvalid({ detail: "not signed by the pinned identity key" })
  if (!(yield* crypto.ed25519Verify(statement.newIk, message, statement.sigNew)))
    return yield* new RotationInvalid({ detail: "not signed by the new identity key" })
  const now = yield* Clock.currentTimeMillis
  if (statement.ts > now + ROTATION_SKEW_MS)
    return yield* new RotationInvalid({ detail: `dated ${statement.ts - now} ms in the future` })
  return { newIk: statement.newIk, newFpr: yield* fingerprint(statement.newIk) }
})
