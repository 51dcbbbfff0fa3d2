import * as Effect from "effect/Effect"
import { encodeHex } from "../protocol/Hex.js"

const encoder = new TextEncoder()

/** Lowercase hex sha256 of bytes or of a string's UTF-8 encoding (Web Crypto, no Node import). */
export const sha256Hex = (data: Uint8Array | string): Effect.Effect<string> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data)
  ).pipe(Effect.map((digest) => encodeHex(new Uint8Array(digest))))

/** UTF-8 byte length of a string. */
export const utf8Length = (s: string): number => encoder.encode(s).length
