/*
 * base64url (RFC 4648 §5) without padding, the encoding of every binary field of sb1 on the wire. Written out with
 * lookup tables: effect's `Encoding` builds the text a character at a time and rewrites it with three regular
 * expressions, which made it one of the largest sources of garbage of a relay under load (a ciphertext decoded
 * at each send and encoded at each poll). The results are the same, byte for byte, which the tests check against
 * it on random input.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
const VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i

/** The output is ASCII, which UTF-8 decodes as it is. */
const ascii = new TextDecoder()

/** `bytes` as base64url, unpadded. */
export const encodeBase64Url = (bytes: Uint8Array): string => {
  const n = bytes.length
  const out = new Uint8Array(Math.ceil((n * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = CODES[v >> 18]!
    out[o++] = CODES[(v >> 12) & 63]!
    out[o++] = CODES[(v >> 6) & 63]!
    out[o++] = CODES[v & 63]!
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16
    out[o++] = CODES[v >> 18]!
    out[o++] = CODES[(v >> 12) & 63]!
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out[o++] = CODES[v >> 18]!
    out[o++] = CODES[(v >> 12) & 63]!
    out[o++] = CODES[(v >> 6) & 63]!
  }
  return ascii.decode(out)
}

const valueAt = (text: string, i: number): number => {
  const c = text.charCodeAt(i)
  return c < 128 ? VALUES[c]! : -1
}

/**
 * Unpadded base64url text as bytes; undefined for anything else: a character outside the alphabet (padding, line
 * breaks and spaces included) or a length no bytes encode to (a multiple of 4, plus 1). As with effect's decoder,
 * the unused low bits of the last character are not checked.
 */
export const decodeBase64Url = (text: string): Uint8Array | undefined => {
  const n = text.length
  if (n % 4 === 1) return undefined
  const out = new Uint8Array(Math.floor((n * 3) / 4))
  let o = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    const a = valueAt(text, i)
    const b = valueAt(text, i + 1)
    const c = valueAt(text, i + 2)
    const d = valueAt(text, i + 3)
    if ((a | b | c | d) < 0) return undefined
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >> 16
    out[o++] = (v >> 8) & 255
    out[o++] = v & 255
  }
  const left = n - i
  if (left === 0) return out
  const a = valueAt(text, i)
  const b = valueAt(text, i + 1)
  const c = left === 3 ? valueAt(text, i + 2) : 0
  if ((a | b | c) < 0) return undefined
  const v = (a << 18) | (b << 12) | (c << 6)
  out[o++] = v >> 16
  if (left === 3) out[o++] = (v >> 8) & 255
  return out
}
