import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BadRequest, TooLarge } from "./HttpErrors.js"

/** A running SHA-256: fed piece by piece, read once at the end. */
export interface Sha256Running {
  readonly update: (piece: Uint8Array) => Effect.Effect<void>
  readonly digest: Effect.Effect<Uint8Array>
}

/** Starts running SHA-256 hashes (the platform's hash; `src/platform/NodeRelay.ts` gives Node's). */
export class RunningSha256 extends Context.Tag("session-bridge/RunningSha256")<
  RunningSha256,
  { readonly start: Effect.Effect<Sha256Running> }
>() {}

export interface Upload {
  readonly size: number
  /** The body's pieces in arrival order (the store cuts them into its own rows). */
  readonly parts: ReadonlyArray<Uint8Array>
  readonly sha256: Uint8Array
}

/**
 * Reads an upload body: each piece is hashed as it arrives and counted against `maxBytes`, so the hash is ready
 * when the last byte is, and a body over the cap fails (413) at the piece that crosses it, without reading on.
 */
export const readUpload = <E>(body: Stream.Stream<Uint8Array, E>, maxBytes: number) =>
  Effect.gen(function* () {
    const hash = yield* (yield* RunningSha256).start
    const read = yield* body.pipe(
      Stream.mapError(() => new BadRequest({ detail: "the upload was cut off" })),
      Stream.runFoldEffect({ size: 0, parts: Chunk.empty<Uint8Array>() }, (acc, piece) =>
        acc.size + piece.length > maxBytes
          ? Effect.fail(new TooLarge({ what: "blob", limit: maxBytes }))
          : Effect.as(hash.update(piece), { size: acc.size + piece.length, parts: Chunk.append(acc.parts, piece) })
      )
    )
    return { size: read.size, parts: Chunk.toReadonlyArray(read.parts), sha256: yield* hash.digest } satisfies Upload
  })
