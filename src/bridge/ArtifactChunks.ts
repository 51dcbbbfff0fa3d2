import * as Either from "effect/Either"
import { InvalidArgument } from "../domain/Errors.js"
import { encodeBase64 } from "./Base64.js"

/**
 * One piece of an artifact's bytes, chosen so that its content costs at most a given number of bytes in the
 * reply that carries it (a JSON string inside a JSON string: a tool result's text block on a JSON-RPC line).
 */
export interface ArtifactChunk {
  /** The first byte of the piece. */
  readonly offset: number
  /** How many bytes it holds. */
  readonly length: number
  /** The bytes as UTF-8 text or base64. */
  readonly content: string
}

export interface ChunkRequest {
  readonly offset: number
  /** The most bytes wanted; the piece may be shorter (the budget, the end, a character boundary). */
  readonly length?: number | undefined
  /** The most bytes the content may take once escaped twice. */
  readonly budget: number
}

/** What each ASCII character costs escaped twice: `"` becomes `\\\"` (4), U+0001 becomes `\\u0001` (7). */
const ASCII_COST = Uint8Array.from(
  { length: 128 },
  (_, c) => JSON.stringify(JSON.stringify(String.fromCharCode(c)).slice(1, -1)).length - 2
)

/** The largest cost one byte can have: a control character's `\\u00XX`. */
export const WORST_BYTE_COST = Math.max(...ASCII_COST)

const strictDecoder = new TextDecoder("utf-8", { fatal: true })
const isContinuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80

const invalid = (message: string, hint: string): Either.Either<never, InvalidArgument> =>
  Either.left(new InvalidArgument({ message: message, hint: hint }))

const checkOffset = (size: number, request: ChunkRequest): Either.Either<number, InvalidArgument> =>
  request.offset > size
    ? invalid(`offset ${request.offset} is past the end (the artifact is ${size} bytes)`, "Pass 0 ≤ offset ≤ size.")
    : Either.right(Math.min(size, request.offset + (request.length ?? size)))

/**
 * The piece of UTF-8 text at `offset`: as many whole characters as fit in `length` and the budget. Bytes
 * outside the ASCII range pass through JSON unescaped and cost what they weigh.
 */
export const textChunk = (bytes: Uint8Array, request: ChunkRequest): Either.Either<ArtifactChunk, InvalidArgument> =>
  Either.flatMap(checkOffset(bytes.length, request), (limit) => {
    const start = request.offset
    if (isContinuation(bytes[start]))
      return invalid(`offset ${start} is inside a UTF-8 character`, "Continue from the nextOffset a reply gave.")
    let end = start
    let cost = 0
    while (end < limit) {
      const byte = bytes[end]!
      const c = byte < 0x80 ? ASCII_COST[byte]! : 1
      if (cost + c > request.budget) break
      cost += c
      end++
    }
    while (end > start && end < bytes.length && isContinuation(bytes[end])) end--
    if (end === start && start < bytes.length)
      return invalid(
        `length ${request.length ?? 0} at offset ${start} ends inside a UTF-8 character`,
        "Ask for at least 4 bytes, or for encoding base64."
      )
    return Either.right({
      offset: start,
      length: end - start,
      content: strictDecoder.decode(bytes.subarray(start, end))
    })
  })

/** The piece at `offset` as base64 (which JSON never escapes); a whole number of 3-byte groups unless it ends the bytes. */
export const base64Chunk = (bytes: Uint8Array, request: ChunkRequest): Either.Either<ArtifactChunk, InvalidArgument> =>
  Either.map(checkOffset(bytes.length, request), (limit) => {
    const start = request.offset
    const fits = Math.floor(request.budget / 4) * 3
    const end = Math.min(limit, start + Math.max(3, fits))
    return { offset: start, length: end - start, content: encodeBase64(bytes.subarray(start, end)) }
  })

/** Whether the bytes are UTF-8 text throughout (a text read of bytes that are not is refused, whatever the range). */
export const isUtf8 = (bytes: Uint8Array): boolean => Either.isRight(Either.try(() => strictDecoder.decode(bytes)))
