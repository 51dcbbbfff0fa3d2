import * as Effect from "effect/Effect"

const encoder = new TextEncoder()

const toHex = (buffer: ArrayBuffer): string => {
  const bytes = new Uint8Array(buffer)
  let out = ""
  for (const b of bytes) out += b.toString(16).padStart(2, "0")
  return out
}

/** Lowercase hex sha256 of bytes or of a string's UTF-8 encoding (Web Crypto, no Node import). */
export const sha256Hex = (data: Uint8Array | string): Effect.Effect<string> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data)
  ).pipe(Effect.map(toHex))

/** UTF-8 byte length of a string. */
export const utf8Length = (s: string): number => encoder.encode(s).length
