import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Layout } from "../domain/Layout.js"
import { ARTIFACT_KEY_BYTES, encryptArtifact, MAX_ARTIFACT_BYTES } from "../protocol/ArtifactCipher.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import type { AccountId, ArtifactRef } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import type { RelayAuth } from "./CloudErrors.js"
import type { OutboxEntry } from "./CloudState.js"
import { RelayClient } from "./RelayClient.js"

/*
 * The artifacts of an outbound message (CLOUD.md 2.5): each is read from the local store, encrypted in 64 KiB
 * chunks under a random key of its own, uploaded as `PUT /v1/blobs/{sha256(ciphertext)}` granted to the recipient
 * alone, and described inside the sealed envelope (plaintext hash, size, name, mime, blob id, key). The relay
 * never sees the plaintext hash. Each artifact's key is drawn once, before the first upload, and kept with the entry
 * (`withArtifactKeys`): an attempt that fails part-way uploads the same ciphertext again on the next one, which the
 * relay recognises as the blob it has (ADR-0078).
 */

export type UploadOutcome =
  | { readonly _tag: "ready"; readonly refs: ReadonlyArray<ArtifactRef> }
  | { readonly _tag: "refused"; readonly reason: string }
  | { readonly _tag: "retry"; readonly detail: string; readonly retryAfterMs: Option.Option<number> }

/** `entry` with a fresh content key for each artifact that has none yet; the same entry when all have one. */
export const withArtifactKeys = (entry: OutboxEntry): Effect.Effect<OutboxEntry, never, CloudCrypto> =>
  Effect.gen(function* () {
    const artifacts = entry.artifacts ?? []
    if (artifacts.every((a) => a.key !== undefined)) return entry
    const crypto = yield* CloudCrypto
    const keyed = yield* Effect.forEach(artifacts, (a) =>
      a.key !== undefined
        ? Effect.succeed(a)
        : Effect.map(crypto.randomBytes(ARTIFACT_KEY_BYTES), (key) => ({ ...a, key }))
    )
    return { ...entry, artifacts: keyed }
  })

/**
 * Uploads every artifact of `entry` for `grantee`, each under its key when it has one; RelayAuth fails (the pump
 * stops), anything else is an outcome.
 */
export const uploadArtifacts = (
  token: string,
  entry: OutboxEntry,
  grantee: AccountId
): Effect.Effect<UploadOutcome, RelayAuth, Store | RelayClient | CloudCrypto> =>
  Effect.gen(function* () {
    const store = yield* Store
    const relay = yield* RelayClient
    const refs: Array<ArtifactRef> = []
    for (const a of entry.artifacts ?? []) {
      // An artifact is read whole, up to the protocol's cap (a store record's own 1 MiB cap would hold back every
      // larger one forever); one over it is refused at once, as its encryption would be.
      const stat = yield* Effect.either(store.stat(Layout.artifactBytes(a.sha256)))
      if (stat._tag === "Right" && Option.exists(stat.right, (s) => s.size > MAX_ARTIFACT_BYTES))
        return { _tag: "refused", reason: "too_large" } as UploadOutcome
      const bytes = yield* Effect.either(store.read(Layout.artifactBytes(a.sha256), MAX_ARTIFACT_BYTES))
      if (bytes._tag === "Left")
        return { _tag: "retry", detail: bytes.left.message, retryAfterMs: Option.none() } as UploadOutcome
      if (Option.isNone(bytes.right)) return { _tag: "refused", reason: "artifact_missing" } as UploadOutcome
      const sealed = yield* Effect.either(encryptArtifact(bytes.right.value, a.key))
      if (sealed._tag === "Left") return { _tag: "refused", reason: "too_large" } as UploadOutcome
      const s = sealed.right
      if (s.sha256 !== a.sha256) return { _tag: "refused", reason: "artifact_missing" } as UploadOutcome
      const put = yield* Effect.either(relay.putBlob(token, s.blob, [grantee], s.ciphertext))
      if (put._tag === "Left") {
        const e = put.left
        switch (e._tag) {
          case "RelayAuth":
            return yield* e
          case "PayloadTooLarge":
            return { _tag: "refused", reason: "too_large" } as UploadOutcome
          case "NotAContact":
            return { _tag: "refused", reason: "not_a_contact" } as UploadOutcome
          case "ContactRevoked":
            return { _tag: "refused", reason: "revoked" } as UploadOutcome
          case "RateLimited":
            return { _tag: "retry", detail: `${e.code}: ${e.message}`, retryAfterMs: Option.some(e.retryAfterMs) }
          default:
            return { _tag: "retry", detail: `${e.code}: ${e.message}`, retryAfterMs: Option.none() } as UploadOutcome
        }
      }
      refs.push({
        sha256: s.sha256,
        size: s.size,
        ...(a.name !== undefined ? { name: a.name } : {}),
        mime: a.mime,
        blob: s.blob,
        key: s.key
      })
    }
    return { _tag: "ready", refs } as UploadOutcome
  })
