import * as Option from "effect/Option"
import { decodeBase64Url, encodeBase64Url } from "./Base64Url.js"
import { encodeHex } from "./Hex.js"

/*
 * Byte helpers for sb1. `tuple` is the one encoding of every signed or hashed input that has a variable-length
 * field: each part, the leading label included, is written as a 4-byte big-endian length followed by its bytes,
 * so no two different part lists encode to the same bytes (docs/cloud-protocol.md, "Tuple encoding").
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/**
 * The length of `utf8(text)` without writing it: a lone surrogate counts 3 bytes, as the encoder writes U+FFFD
 * for it.
 */
export const utf8Length = (text: string): number => {
  let length = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) length += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2
      i++
    } else length += 2
  }
  return length
}

/** Strict UTF-8 decoding: none for malformed bytes. */
export const fromUtf8 = (bytes: Uint8Array): Option.Option<string> =>
  Option.liftThrowable(() => decoder.decode(bytes))()

export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** An unsigned integer (0 ≤ n < 2^53) as 8 big-endian bytes. */
export const u64be = (n: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}

/** `u32be(len(p)) ‖ p` for each part (strings as UTF-8, numbers as u64be), concatenated, written into one array. */
export const tuple = (...parts: ReadonlyArray<Uint8Array | string | number>): Uint8Array => {
  const bytes = parts.map((part) =>
    typeof part === "string" ? utf8(part) : typeof part === "number" ? u64be(part) : part
  )
  let length = 0
  for (const b of bytes) length += 4 + b.length
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  let at = 0
  for (const b of bytes) {
    view.setUint32(at, b.length)
    out.set(b, at + 4)
    at += 4 + b.length
  }
  return out
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** Lexicographic byte order (for sorting fingerprints). */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** base64url, unpadded (Base64Url.ts). */
export const toBase64Url = (bytes: Uint8Array): string => encodeBase64Url(bytes)
/** Unpadded base64url only: none for padding, line breaks or any other character outside the alphabet. */
export const fromBase64Url = (text: string): Option.Option<Uint8Array> => Option.fromNullable(decodeBase64Url(text))
/** Lowercase hex (Hex.ts). */
export const toHex = (bytes: Uint8Array): string => encodeHex(bytes)
