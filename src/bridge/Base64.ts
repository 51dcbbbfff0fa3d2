import * as Option from "effect/Option"

/** Standard base64 (RFC 4648, '+' '/', '=' padding), fast on megabytes: no per-character string building. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const ENC = new Uint8Array(64)
const DEC = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) {
  ENC[i] = ALPHABET.charCodeAt(i)
  DEC[ALPHABET.charCodeAt(i)] = i
}
const PAD = 61 // "="
const ascii = new TextDecoder("latin1")

export const encodeBase64 = (bytes: Uint8Array): string => {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4)
  let o = 0
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = ENC[n >> 18]!
    out[o++] = ENC[(n >> 12) & 63]!
    out[o++] = ENC[(n >> 6) & 63]!
    out[o++] = ENC[n & 63]!
  }
  const rest = bytes.length - i
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0)
    out[o++] = ENC[n >> 18]!
    out[o++] = ENC[(n >> 12) & 63]!
    out[o++] = rest === 2 ? ENC[(n >> 6) & 63]! : PAD
    out[o++] = PAD
  }
  return ascii.decode(out)
}

/** Decodes strictly (line breaks and spaces ignored); none for any other character, bad length or misplaced '='. */
export const decodeBase64 = (text: string): Option.Option<Uint8Array> => {
  const s = /\s/.test(text) ? text.replace(/\s+/g, "") : text
  if (s.length % 4 !== 0) return Option.none()
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0
  const out = new Uint8Array((s.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length
    const a = code(s, i)
    const b = code(s, i + 1)
    const c = last && pad === 2 ? 0 : code(s, i + 2)
    const d = last && pad >= 1 ? 0 : code(s, i + 3)
    if (a < 0 || b < 0 || c < 0 || d < 0) return Option.none()
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = n >> 16
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return Option.some(out)
}

const code = (s: string, i: number): number => {
  const c = s.charCodeAt(i)
  return c < 128 ? DEC[c]! : -1
}
