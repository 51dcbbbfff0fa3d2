import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { bytesEqual, toHex } from "./Bytes.js"
import { CloudCrypto, type CloudCryptoSync } from "./CloudCrypto.js"
import { ArtifactChunkInvalid, ArtifactHashMismatch, ArtifactTooLarge, ArtifactTruncated } from "./ProtocolErrors.js"

/*
 * Chunked artifact encryption (CLOUD.md 2.5), STREAM-style:
 *   key: 32 random bytes per artifact; plaintext in 64 KiB chunks (the last may be shorter; an empty artifact is one
 *   empty chunk); chunk i is ChaCha20-Poly1305(key, nonce = u88be(i) ‖ last, aad = "", chunk), last = 1 for the
 *   final chunk and 0 otherwise; ciphertext = the sealed chunks in order (each 16 bytes longer than its chunk).
 *   blob id = hex SHA-256(ciphertext); the plaintext SHA-256 travels only inside the envelope.
 */

export const CHUNK_BYTES = 64 * 1024
const SEALED_CHUNK_BYTES = CHUNK_BYTES + 16
export const MAX_ARTIFACT_BYTES = 10 * 1024 * 1024
export const ARTIFACT_KEY_BYTES = 32
const NO_AAD = new Uint8Array(0)

export const chunkNonce = (index: number, last: boolean): Uint8Array => {
  const nonce = new Uint8Array(12)
  new DataView(nonce.buffer).setBigUint64(3, BigInt(index))
  nonce[11] = last ? 1 : 0
  return nonce
}

/**
 * A ciphertext as it is uploaded: `size` bytes, sealed again chunk by chunk each time `chunks()` is read (the same
 * bytes every time: the key and each chunk's nonce are fixed), one sealed chunk at a time. The whole ciphertext is
 * never held at once, and the plaintext it is read from must not change while it is read.
 */
export interface Ciphertext {
  readonly size: number
  readonly chunks: () => Iterable<Uint8Array>
}

/** What goes into the envelope's artifact entry, and the ciphertext to upload under `blob`. */
export interface EncryptedArtifact {
  readonly key: Uint8Array
  readonly sha256: string
  readonly size: number
  readonly blob: string
  readonly ciphertext: Ciphertext
}

/** Every byte of a ciphertext, in one array. */
export const ciphertextBytes = (ciphertext: Ciphertext): Uint8Array => {
  const out = new Uint8Array(ciphertext.size)
  let at = 0
  for (const chunk of ciphertext.chunks()) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/**
 * Encrypts an artifact under `key` (32 bytes), or under a fresh random key. The same key and plaintext give the same
 * ciphertext, so an upload retried under the key it was first given is the same blob to the relay.
 */
export const encryptArtifact = Effect.fn("ArtifactCipher.encrypt")(function* (plaintext: Uint8Array, key?: Uint8Array) {
  const crypto = yield* CloudCrypto
  if (plaintext.length > MAX_ARTIFACT_BYTES)
    return yield* new ArtifactTooLarge({ detail: `${plaintext.length} bytes, at most ${MAX_ARTIFACT_BYTES}` })
  return encryptWith(crypto.sync, key ?? (yield* crypto.randomBytes(ARTIFACT_KEY_BYTES)), plaintext)
})

/*
 * Two passes over the artifact, neither of which holds the ciphertext whole (10 MiB of fresh memory costs more in
 * first-touch page faults than the cipher itself, docs/adr/0077-artifact-ciphertext-streamed.md). The first hashes
 * each chunk, seals it into one reused buffer and hashes the sealed bytes, while the chunk is still in the
 * processor's cache: the plaintext hash and the blob id, which must be known before the upload starts. The second
 * (`chunks`, run by the upload) seals each chunk again, into a buffer of its own, as the request body takes it.
 */
const encryptWith = (crypto: CloudCryptoSync, key: Uint8Array, plaintext: Uint8Array): EncryptedArtifact => {
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK_BYTES))
  const chunkAt = (i: number) => plaintext.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES)
  const scratch = new Uint8Array(SEALED_CHUNK_BYTES)
  const plainHash = crypto.sha256Hasher()
  const blobHash = crypto.sha256Hasher()
  for (let i = 0; i < chunks; i++) {
    const chunk = chunkAt(i)
    plainHash.update(chunk)
    const written = crypto.aeadSealInto(key, chunkNonce(i, i === chunks - 1), chunk, NO_AAD, scratch, 0)
    blobHash.update(scratch.subarray(0, written))
  }
  function* sealed(): Generator<Uint8Array> {
    for (let i = 0; i < chunks; i++) {
      const chunk = chunkAt(i)
      const out = new Uint8Array(chunk.length + 16)
      crypto.aeadSealInto(key, chunkNonce(i, i === chunks - 1), chunk, NO_AAD, out, 0)
      yield out
    }
  }
  return {
    key,
    sha256: toHex(plainHash.digest()),
    size: plaintext.length,
    blob: toHex(blobHash.digest()),
    ciphertext: { size: plaintext.length + chunks * 16, chunks: sealed }
  }
}

/**
 * Decrypts a downloaded blob and checks it is the announced artifact: every chunk opens at its own position, the
 * final one is flagged last (else it was truncated), and the plaintext has the announced SHA-256 (lowercase hex).
 * The blob is decrypted in place: the plaintext is the start of the same memory (each chunk's plaintext lands at or
 * before where its ciphertext began, once that was read), so the blob's bytes are gone afterwards, whatever the
 * outcome. A download is read once; no second 10 MiB buffer is made (ADR-0077).
 */
export const decryptArtifact = Effect.fn("ArtifactCipher.decrypt")(function* (
  ciphertext: Uint8Array,
  key: Uint8Array,
  sha256: string
) {
  const crypto = yield* CloudCrypto
  if (ciphertext.length === 0) return yield* new ArtifactTruncated({ detail: "no chunk at all" })
  const chunks = Math.ceil(ciphertext.length / SEALED_CHUNK_BYTES)
  if (ciphertext.length - chunks * 16 > MAX_ARTIFACT_BYTES)
    return yield* new ArtifactTooLarge({ detail: `${ciphertext.length} bytes of ciphertext` })
  return yield* decryptWith(crypto.sync, ciphertext, key, sha256, chunks)
})

const decryptWith = (
  crypto: CloudCryptoSync,
  ciphertext: Uint8Array,
  key: Uint8Array,
  sha256: string,
  chunks: number
): Either.Either<Uint8Array, ArtifactTruncated | ArtifactChunkInvalid | ArtifactHashMismatch> => {
  const plaintext = ciphertext
  const hasher = crypto.sha256Hasher()
  for (let i = 0; i < chunks; i++) {
    const sealed = ciphertext.subarray(i * SEALED_CHUNK_BYTES, (i + 1) * SEALED_CHUNK_BYTES)
    const last = i === chunks - 1
    const at = i * CHUNK_BYTES
    // The final chunk opens into a buffer of its own: when it is not the last one, it is tried again as a middle
    // chunk, from bytes an in-place attempt would have overwritten.
    const opened = last
      ? Either.map(crypto.aeadOpen(key, chunkNonce(i, true), sealed, NO_AAD), (bytes) => {
          plaintext.set(bytes, at)
          return bytes.length
        })
      : crypto.aeadOpenInto(key, chunkNonce(i, false), sealed, NO_AAD, plaintext, at)
    if (opened._tag === "Left") {
      const asMiddle = last ? crypto.aeadOpen(key, chunkNonce(i, false), sealed, NO_AAD) : opened
      return Either.left(
        asMiddle._tag === "Right"
          ? new ArtifactTruncated({ detail: `chunk ${i} is not the last one; the rest is missing` })
          : new ArtifactChunkInvalid({ detail: `chunk ${i} of ${chunks} does not open at its position` })
      )
    }
    hasher.update(plaintext.subarray(at, at + opened.right))
  }
  const actual = hasher.digest()
  return bytesEqual(actual, hexBytes(sha256))
    ? Either.right(plaintext.subarray(0, Math.max(0, ciphertext.length - chunks * 16)))
    : Either.left(new ArtifactHashMismatch({ detail: `expected ${sha256}, got ${toHex(actual)}` }))
}

const hexBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/[0-9a-f]{2}/gi) ?? [], (pair) => Number.parseInt(pair, 16))

/** The relay's blob id for a ciphertext. */
export const blobId = (ciphertext: Uint8Array): Effect.Effect<string, never, CloudCrypto> =>
  Effect.map(
    Effect.flatMap(CloudCrypto, (crypto) => crypto.sha256(ciphertext)),
    toHex
  )
