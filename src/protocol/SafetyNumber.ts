import * as Effect from "effect/Effect"
import { compareBytes, concat, utf8 } from "./Bytes.js"
import { CloudCrypto } from "./CloudCrypto.js"
import { fingerprint } from "./Keys.js"

/**
 * The safety number two contacts compare (CLOUD.md 2.2):
 *   d = SHA-256(ASCII "sb1-sas" ‖ lo ‖ hi), where lo and hi are fprA and fprB (32 bytes each) in byte order
 *   n = the first 8 bytes of d as a big-endian unsigned 64-bit integer
 *   the 20-digit zero-padded decimal of n, in four groups of five: "01234 56789 01234 56789"
 * The same for both sides; about 2^64 work to find a key that matches a given number.
 */
export const safetyNumberOfFingerprints = (
  fprA: Uint8Array,
  fprB: Uint8Array
): Effect.Effect<string, never, CloudCrypto> =>
  Effect.gen(function* () {
    const [lo, hi] = compareBytes(fprA, fprB) <= 0 ? [fprA, fprB] : [fprB, fprA]
    const digest = yield* (yield* CloudCrypto).sha256(concat(utf8("sb1-sas"), lo, hi))
    const n = new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0)
    return (n.toString().padStart(20, "0").match(/\d{5}/g) ?? []).join(" ")
  })

/** The safety number of two identity public keys. */
export const safetyNumber = (ikA: Uint8Array, ikB: Uint8Array): Effect.Effect<string, never, CloudCrypto> =>
  Effect.flatMap(Effect.all([fingerprint(ikA), fingerprint(ikB)]), ([a, b]) => safetyNumberOfFingerprints(a, b))
