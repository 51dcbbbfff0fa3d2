import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { IndexChecksum } from "../services/IndexChecksum.js"

/** CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), a byte a step. */
const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** The CRC-32 to check index files with: the platform's native one when it provides it (ADR-0080), else this one. */
export const indexChecksum: Effect.Effect<(bytes: Uint8Array) => number> = Effect.map(
  Effect.serviceOption(IndexChecksum),
  (native) => Option.getOrUndefined(native)?.crc32 ?? crc32
)
