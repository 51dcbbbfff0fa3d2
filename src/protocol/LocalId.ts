import * as Effect from "effect/Effect"
import { CROCKFORD, encodeTime, type MessageId } from "../domain/Ulid.js"
import { concat, utf8 } from "./Bytes.js"
import { CloudCrypto } from "./CloudCrypto.js"

/** The largest time a ULID can carry (48 bits of milliseconds). */
const MAX_ULID_TIME = 2 ** 48 - 1

/** 80 bits, big-endian, as 16 Crockford base32 characters (the random half of a ULID). */
export const encodeRandom80 = (bytes: Uint8Array): string => {
  let out = ""
  let buffer = 0
  let bits = 0
  for (let i = 0; i < 10; i++) {
    buffer = (buffer << 8) | bytes[i]!
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += CROCKFORD[(buffer >> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  return out
}

/**
 * The local inbox id of a remote message (CLOUD.md 2.7): ULID(time = clamp(ts, 0, 2^48 - 1),
 * rand80 = SHA-256("sb1-local" ‖ senderFpr(32) ‖ ASCII(envelope id))[0..10]). The same envelope from the same
 * sender always gets the same id, and no sender can choose an id that collides with another sender's.
 */
export const localId = (
  senderFpr: Uint8Array,
  envelopeId: MessageId,
  ts: number
): Effect.Effect<MessageId, never, CloudCrypto> =>
  Effect.map(CloudCrypto, (crypto) => localIdWith(crypto.sync.sha256, senderFpr, envelopeId, ts))

/** `localId` over a plain SHA-256. */
export const localIdWith = (
  sha256: (data: Uint8Array) => Uint8Array,
  senderFpr: Uint8Array,
  envelopeId: MessageId,
  ts: number
): MessageId => {
  const digest = sha256(concat(utf8("sb1-local"), senderFpr, utf8(envelopeId)))
  const time = Math.min(MAX_ULID_TIME, Math.max(0, Math.floor(ts)))
  return (encodeTime(time) + encodeRandom80(digest)) as MessageId
}
