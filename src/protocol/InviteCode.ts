import * as Option from "effect/Option"
import { CROCKFORD } from "../domain/Ulid.js"

/*
 * Invite codes: "sb1-" + Crockford base32 of the 16-byte secret S (26 characters, the last one carrying 3 bits and
 * two zero bits), in groups of five joined by "-": sb1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X.
 * Crockford because it is the alphabet of our ULIDs, has no I, L, O or U, and reads aloud well. Parsing ignores
 * case, spaces and dashes, reads O as 0 and I/L as 1, and accepts the code with or without its "sb1-" prefix.
 */

const SECRET_BYTES = 16
const CODE_CHARS = 26

export const encodeInviteCode = (secret: Uint8Array): string => {
  let chars = ""
  let buffer = 0
  let bits = 0
  for (const byte of secret) {
    buffer = ((buffer << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      chars += CROCKFORD[(buffer >> bits) & 31]
    }
  }
  if (bits > 0) chars += CROCKFORD[(buffer << (5 - bits)) & 31]
  return "sb1-" + (chars.match(/.{1,5}/g) ?? []).join("-")
}

/** The secret in a code, or none when the text is not a well-formed sb1 code. */
export const parseInviteCode = (text: string): Option.Option<Uint8Array> => {
  const compact = text
    .toUpperCase()
    .replace(/[\s-]+/g, "")
    .replace(/^SB1/, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1")
  if (compact.length !== CODE_CHARS) return Option.none()
  const out = new Uint8Array(SECRET_BYTES)
  let buffer = 0
  let bits = 0
  let at = 0
  for (const char of compact) {
    const value = CROCKFORD.indexOf(char)
    if (value < 0) return Option.none()
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      if (at < SECRET_BYTES) out[at++] = (buffer >> bits) & 255
    }
  }
  // The 2 bits left over after 128 must be zero: one spelling per secret.
  return (buffer & ((1 << bits) - 1)) === 0 ? Option.some(out) : Option.none()
}
