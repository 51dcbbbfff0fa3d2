import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Stream } from "effect"
import { readUpload, RunningSha256 } from "../../src/relay/BlobUpload.js"
import { layerRunningSha256 } from "../../src/platform/NodeRelay.js"

const piece = (n: number, fill: number) => new Uint8Array(n).fill(fill)

/** Node's running hash, with a log of what it was fed and when it was read. */
const recording = (log: Array<string>) =>
  Layer.effect(
    RunningSha256,
    Effect.map(RunningSha256, (real) => ({
      start: Effect.map(real.start, (hash) => ({
        update: (p: Uint8Array) =>
          Effect.zipRight(
            Effect.sync(() => log.push(`update ${p.length}`)),
            hash.update(p)
          ),
        digest: Effect.zipRight(
          Effect.sync(() => log.push("digest")),
          hash.digest
        )
      }))
    }))
  ).pipe(Layer.provide(layerRunningSha256))

describe("blob upload", () => {
  it.live("each piece is hashed as it arrives; the digest is the SHA-256 of the whole body", () => {
    const log: Array<string> = []
    const pieces = [piece(1000, 1), piece(3, 2), piece(70_000, 3)]
    const body = Stream.fromIterable(pieces).pipe(Stream.tap((p) => Effect.sync(() => log.push(`arrive ${p.length}`))))
    return Effect.gen(function* () {
      const upload = yield* readUpload(body, 100_000)
      const whole = createHash("sha256")
      for (const p of pieces) whole.update(p)
      assert.deepStrictEqual(Buffer.from(upload.sha256).toString("hex"), whole.digest("hex"))
      assert.strictEqual(upload.size, 71_003)
      assert.deepStrictEqual(
        upload.parts.map((p) => p.length),
        [1000, 3, 70_000]
      )
      assert.deepStrictEqual(log, [
        "arrive 1000",
        "update 1000",
        "arrive 3",
        "update 3",
        "arrive 70000",
        "update 70000",
        "digest"
      ])
    }).pipe(Effect.provide(recording(log)))
  })

  it.live("a body over the cap fails at the piece that crosses it, without reading the rest", () =>
    Effect.gen(function* () {
      // After the third piece the body never ends: the cap must be what stops the read.
      const body = Stream.concat(Stream.fromIterable([piece(40, 1), piece(40, 2), piece(40, 3)]), Stream.never)
      const result = yield* Effect.either(readUpload(body, 100)).pipe(Effect.timeout("5 seconds"))
      assert.isTrue(Either.isLeft(result))
      const error = Either.getLeft(result)
      assert.strictEqual(error._tag === "Some" ? error.value._tag : "none", "TooLarge")
    }).pipe(Effect.provide(layerRunningSha256))
  )
})
