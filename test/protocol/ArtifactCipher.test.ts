import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import {
  blobId,
  CHUNK_BYTES,
  ciphertextBytes,
  decryptArtifact,
  encryptArtifact
} from "../../src/protocol/ArtifactCipher.js"

const provide = Effect.provide(layerSeeded("artifact"))
const SEALED = CHUNK_BYTES + 16
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 9)) & 255)
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

describe("chunked artifact encryption", () => {
  it.effect("round-trips at chunk boundaries; blob id is SHA-256 of the ciphertext, never the plaintext hash", () =>
    Effect.gen(function* () {
      for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 7]) {
        const plain = bytes(size)
        const sealed = yield* encryptArtifact(plain)
        const ciphertext = ciphertextBytes(sealed.ciphertext)
        assert.strictEqual(sealed.ciphertext.size, size + Math.max(1, Math.ceil(size / CHUNK_BYTES)) * 16, `${size}`)
        assert.strictEqual(ciphertext.length, sealed.ciphertext.size)
        assert.strictEqual(sealed.sha256, sha(plain))
        assert.strictEqual(sealed.blob, sha(ciphertext))
        assert.strictEqual(yield* blobId(ciphertext), sealed.blob)
        assert.notStrictEqual(sealed.blob, sealed.sha256)
        assert.deepStrictEqual(yield* decryptArtifact(ciphertext, sealed.key, sealed.sha256), plain)
      }
    }).pipe(provide)
  )

  it.effect("a missing last chunk is truncation; swapped, altered or foreign-key chunks are refused", () =>
    Effect.gen(function* () {
      const plain = bytes(3 * CHUNK_BYTES + 100)
      const sealed = yield* encryptArtifact(plain)
      const { key, sha256 } = sealed
      const ciphertext = ciphertextBytes(sealed.ciphertext)
      // Each attempt on a copy: a blob is decrypted in place.
      const tag = (ct: Uint8Array, k = key, h = sha256) =>
        Effect.map(Effect.flip(decryptArtifact(Uint8Array.from(ct), k, h)), (e) => e._tag)
      assert.strictEqual(yield* tag(ciphertext.subarray(0, 3 * SEALED)), "ArtifactTruncated")
      assert.strictEqual(yield* tag(ciphertext.subarray(0, SEALED)), "ArtifactTruncated")
      assert.strictEqual(yield* tag(new Uint8Array(0)), "ArtifactTruncated")
      assert.strictEqual(yield* tag(ciphertext.subarray(0, ciphertext.length - 1)), "ArtifactChunkInvalid")
      const swapped = Uint8Array.from(ciphertext)
      swapped.set(ciphertext.subarray(SEALED, 2 * SEALED), 0)
      swapped.set(ciphertext.subarray(0, SEALED), SEALED)
      assert.strictEqual(yield* tag(swapped), "ArtifactChunkInvalid")
      const flipped = Uint8Array.from(ciphertext)
      flipped[SEALED + 5] = flipped[SEALED + 5]! ^ 1
      assert.strictEqual(yield* tag(flipped), "ArtifactChunkInvalid")
      assert.strictEqual(yield* tag(ciphertext, new Uint8Array(32)), "ArtifactChunkInvalid")
      const wrongHash = yield* Effect.flip(decryptArtifact(Uint8Array.from(ciphertext), key, sha(bytes(5))))
      assert.strictEqual(wrongHash._tag, "ArtifactHashMismatch")
      assert.strictEqual(wrongHash.code, "ARTIFACT_INVALID")
    }).pipe(provide)
  )

  it.effect("the ciphertext is read chunk by chunk, each sealed chunk on its own, the same bytes at every read", () =>
    Effect.gen(function* () {
      const plain = bytes(2 * CHUNK_BYTES + 9)
      const sealed = yield* encryptArtifact(plain)
      const first = [...sealed.ciphertext.chunks()]
      assert.deepStrictEqual(
        first.map((c) => c.length),
        [SEALED, SEALED, 9 + 16]
      )
      // Each chunk is a buffer of its own (an upload may still hold one while the next is sealed).
      assert.strictEqual(new Set(first.map((c) => c.buffer)).size, 3)
      const again = ciphertextBytes(sealed.ciphertext)
      assert.deepStrictEqual(again, Uint8Array.from(first.flatMap((c) => [...c])))
      assert.strictEqual(sha(again), sealed.blob)
      assert.deepStrictEqual(yield* decryptArtifact(again, sealed.key, sealed.sha256), plain)
    }).pipe(provide)
  )

  it.effect("a blob is decrypted in place: the plaintext is the start of the blob's own memory", () =>
    Effect.gen(function* () {
      for (const size of [0, 5, CHUNK_BYTES, 3 * CHUNK_BYTES + 100]) {
        const plain = bytes(size)
        const sealed = yield* encryptArtifact(plain)
        const blob = ciphertextBytes(sealed.ciphertext)
        const opened = yield* decryptArtifact(blob, sealed.key, sealed.sha256)
        assert.deepStrictEqual(opened, plain)
        assert.strictEqual(opened.buffer, blob.buffer)
        assert.strictEqual(opened.byteOffset, blob.byteOffset)
      }
    }).pipe(provide)
  )

  it.effect("over 10 MiB is ARTIFACT_TOO_LARGE", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(encryptArtifact(new Uint8Array(10 * 1024 * 1024 + 1)))
      assert.strictEqual(error.code, "ARTIFACT_TOO_LARGE")
    }).pipe(provide)
  )
})
