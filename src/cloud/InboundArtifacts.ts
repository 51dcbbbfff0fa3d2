import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Layout } from "../domain/Layout.js"
import { ArtifactMeta } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { decryptArtifact } from "../protocol/ArtifactCipher.js"
import type { ArtifactRef } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { RelayClient } from "./RelayClient.js"

/** Why an artifact could not be stored: `retry` stops the batch (nothing written, nothing acked); `bad` quarantines. */
export type ArtifactOutcome =
  | { readonly _tag: "stored" }
  | { readonly _tag: "retry"; readonly detail: string }
  | { readonly _tag: "bad"; readonly reason: string; readonly detail: string }

/**
 * Fetches, decrypts, hash-checks and stores one artifact content-addressed by its plaintext SHA-256 (CLOUD.md
 * 2.5); an artifact already stored is skipped. A network failure, a rate limit or an auth failure is `retry`;
 * a blob the relay does not have, or that does not decrypt to the signed hash, is `bad` (the sender's or the
 * relay's fault, and retrying cannot fix it: the envelope is quarantined so the inbox is not wedged).
 */
export const fetchArtifact = (token: string, ref: ArtifactRef, postedBy: SessionId) =>
  Effect.gen(function* () {
    const store = yield* Store
    const relay = yield* RelayClient
    // The meta is written after the bytes, so its presence means the bytes are complete.
    if (Option.isSome(yield* store.stat(Layout.artifactMeta(ref.sha256)))) return { _tag: "stored" } as ArtifactOutcome
    const blob = yield* Effect.either(relay.getBlob(token, ref.blob))
    if (blob._tag === "Left") {
      const e = blob.left
      return e._tag === "RelayRefused" || e._tag === "NotAContact" || e._tag === "ContactRevoked"
        ? ({ _tag: "bad", reason: "artifact_missing", detail: e.message } as ArtifactOutcome)
        : ({ _tag: "retry", detail: `${e.code}: ${e.message}` } as ArtifactOutcome)
    }
    const plain = yield* Effect.either(decryptArtifact(blob.right, ref.key, ref.sha256))
    if (plain._tag === "Left")
      return { _tag: "bad", reason: "artifact_invalid", detail: plain.left.message } as ArtifactOutcome
    if (plain.right.length !== ref.size)
      return {
        _tag: "bad",
        reason: "artifact_invalid",
        detail: `size ${plain.right.length}, announced ${ref.size}`
      } as ArtifactOutcome
    yield* store.write(Layout.artifactBytes(ref.sha256), plain.right)
    const meta = ArtifactMeta.make({
      v: 1,
      sha256: ref.sha256 as ArtifactMeta["sha256"],
      size: ref.size,
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      mimeType: ref.mime ?? "application/octet-stream",
      postedBy,
      createdAt: yield* DateTime.now
    })
    yield* store.write(
      Layout.artifactMeta(ref.sha256),
      JSON.stringify(Schema.encodeSync(ArtifactMeta)(meta), null, 2) + "\n"
    )
    return { _tag: "stored" } as ArtifactOutcome
  })
