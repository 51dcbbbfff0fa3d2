import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  ArtifactNotFound,
  ArtifactTooLarge,
  InvalidArgument,
  type InvalidName,
  type StoreError
} from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { checkArtifactName, checkMimeType, requireArtifactName, requireMimeType, Sha256 } from "../domain/Names.js"
import { ArtifactMeta } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { createJson, readJson } from "../services/store/Documents.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"
import { decodeBase64, encodeBase64 } from "./Base64.js"
import { sha256Hex } from "./Hash.js"
import { DEFAULT_MAX_ARTIFACT_BYTES, positiveIntFromEnv } from "./Limits.js"

export type ArtifactContent = { readonly text: string } | { readonly base64: string }

export interface PostArtifactInput {
  readonly content: ArtifactContent
  readonly name?: string | undefined
  readonly mimeType?: string | undefined
  readonly postedBy: SessionId
}

export interface PostedArtifact {
  readonly meta: ArtifactMeta
  /** True when the same bytes were already stored. */
  readonly deduped: boolean
}

export type ArtifactEncoding = "text" | "base64"

export interface ArtifactContentResult {
  readonly meta: ArtifactMeta
  readonly encoding: ArtifactEncoding
  readonly content: string
}

/** The content-addressed artifact store: bytes under their sha256, with a meta record beside them. */
export interface ArtifactsShape {
  /** The cap in bytes (SESSION_BRIDGE_MAX_ARTIFACT_BYTES, default 10 MiB). */
  readonly maxBytes: number
  readonly post: (
    input: PostArtifactInput
  ) => Effect.Effect<PostedArtifact, InvalidArgument | InvalidName | ArtifactTooLarge | StoreError>
  /** ARTIFACT_NOT_FOUND for an unknown sha, INVALID_ARGUMENT for a malformed one. */
  readonly meta: (sha256: string) => Effect.Effect<ArtifactMeta, InvalidArgument | ArtifactNotFound | StoreError>
  /** Bytes as UTF-8 text or base64; default text for text-like types, else base64. */
  readonly get: (
    sha256: string,
    encoding?: ArtifactEncoding | undefined
  ) => Effect.Effect<ArtifactContentResult, InvalidArgument | ArtifactNotFound | StoreError>
  readonly bytes: (sha256: string) => Effect.Effect<Uint8Array, InvalidArgument | ArtifactNotFound | StoreError>
}

export class Artifacts extends Context.Tag("session-bridge/Artifacts")<Artifacts, ArtifactsShape>() {}

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder("utf-8", { fatal: true })

export const isTextLike = (mimeType: string): boolean =>
  mimeType.startsWith("text/") || /[/+](json|xml|yaml|x-yaml|javascript|typescript|x-sh|toml)$/.test(mimeType)

const decodeSha = (raw: string) =>
  Schema.decodeUnknown(Sha256)(raw.trim().toLowerCase()).pipe(
    Effect.mapError(
      () =>
        new InvalidArgument({ message: `not a sha256: ${JSON.stringify(raw.slice(0, 80))}`, remedy: "postedSha256" })
    )
  )

/**
 * A stored meta as tools show it: a name or MIME type written before they were validated, and no longer valid,
 * is left out (the name) or replaced by application/octet-stream, never passed on raw.
 */
export const safeMeta = (m: ArtifactMeta): ArtifactMeta => {
  const { name, ...rest } = m
  const keepName = name !== undefined && checkArtifactName(name)._tag === "Right"
  const mimeType = checkMimeType(m.mimeType)._tag === "Right" ? m.mimeType : "application/octet-stream"
  return ArtifactMeta.make({ ...rest, ...(keepName ? { name } : {}), mimeType })
}

export const make = Effect.gen(function* () {
  const store = yield* Store
  const env = yield* HostEnv
  const maxBytes = positiveIntFromEnv(env, "SESSION_BRIDGE_MAX_ARTIFACT_BYTES", DEFAULT_MAX_ARTIFACT_BYTES)
  const provideStore = Effect.provideService(Store, store)

  const tooLarge = (size: number) => new ArtifactTooLarge({ size, limit: maxBytes })

  const toBytes = (content: ArtifactContent): Effect.Effect<Uint8Array, InvalidArgument | ArtifactTooLarge> => {
    if ("text" in content) {
      const bytes = encoder.encode(content.text)
      return bytes.length > maxBytes ? Effect.fail(tooLarge(bytes.length)) : Effect.succeed(bytes)
    }
    const cleaned = content.base64.replace(/\s+/g, "")
    const estimated = Math.floor((cleaned.length * 3) / 4)
    if (estimated - 2 > maxBytes) return Effect.fail(tooLarge(estimated))
    const decoded = decodeBase64(cleaned)
    if (Option.isNone(decoded)) {
      return Effect.fail(
        new InvalidArgument({
          message: "contentBase64 is not valid base64",
          hint: "Encode the bytes with standard base64 (A-Z a-z 0-9 + /, '=' padding), or pass text."
        })
      )
    }
    return decoded.value.length > maxBytes ? Effect.fail(tooLarge(decoded.value.length)) : Effect.succeed(decoded.value)
  }

  const meta = (raw: string) =>
    Effect.gen(function* () {
      const sha = yield* decodeSha(raw)
      const found = yield* readJson(Layout.artifactMeta(sha), ArtifactMeta).pipe(provideStore)
      if (Option.isNone(found)) {
        return yield* new ArtifactNotFound({ sha256: sha, missing: "artifact" })
      }
      return safeMeta(found.value)
    })

  const bytes = (raw: string) =>
    Effect.gen(function* () {
      const m = yield* meta(raw)
      const data = yield* store.read(Layout.artifactBytes(m.sha256), maxBytes)
      if (Option.isNone(data)) return yield* new ArtifactNotFound({ sha256: m.sha256, missing: "bytes" })
      return data.value
    })

  const post = (input: PostArtifactInput) =>
    Effect.gen(function* () {
      const name = input.name === undefined ? undefined : yield* requireArtifactName(input.name)
      const given = input.mimeType === undefined ? undefined : yield* requireMimeType(input.mimeType)
      const data = yield* toBytes(input.content)
      const sha = yield* Schema.decode(Sha256)(yield* sha256Hex(data)).pipe(Effect.orDie)
      const mimeType = given ?? ("text" in input.content ? "text/plain; charset=utf-8" : "application/octet-stream")
      const fresh = ArtifactMeta.make({
        v: 1,
        sha256: sha,
        size: data.length,
        ...(name !== undefined ? { name } : {}),
        mimeType,
        postedBy: input.postedBy,
        createdAt: yield* DateTime.now
      })
      const existing = yield* readJson(Layout.artifactMeta(sha), ArtifactMeta).pipe(provideStore)
      const hasBytes = Option.isSome(yield* store.stat(Layout.artifactBytes(sha)))
      if (!hasBytes) yield* store.write(Layout.artifactBytes(sha), data)
      if (Option.isSome(existing) && hasBytes) return { meta: safeMeta(existing.value), deduped: true }
      const created = yield* createJson(Layout.artifactMeta(sha), ArtifactMeta, fresh).pipe(provideStore)
      if (created) return { meta: fresh, deduped: false }
      const winner = yield* readJson(Layout.artifactMeta(sha), ArtifactMeta).pipe(provideStore)
      return { meta: safeMeta(Option.getOrElse(winner, () => fresh)), deduped: true }
    })

  const get = (raw: string, encoding?: ArtifactEncoding) =>
    Effect.gen(function* () {
      const m = yield* meta(raw)
      const data = yield* bytes(m.sha256)
      const wanted = encoding ?? (isTextLike(m.mimeType) ? "text" : "base64")
      if (wanted === "base64") return { meta: m, encoding: wanted, content: encodeBase64(data) }
      const text = yield* Effect.try({
        try: () => strictDecoder.decode(data),
        catch: () =>
          new InvalidArgument({
            message: `artifact ${m.sha256} is not valid UTF-8 text`,
            hint: 'Ask for encoding "base64".'
          })
      })
      return { meta: m, encoding: wanted, content: text }
    })

  return Artifacts.of({ maxBytes, post, meta, get, bytes })
})

export const layer: Layer.Layer<Artifacts, never, Store | HostEnv> = Layer.effect(Artifacts, make)
