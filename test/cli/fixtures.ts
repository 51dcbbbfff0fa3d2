import { DateTime, Effect, Schema } from "effect"
import { Layout } from "../../src/domain/Layout.js"
import { ArtifactMeta, MessageEnvelope, type MessageKind } from "../../src/domain/Records.js"
import { Store } from "../../src/services/store/Store.js"

/** A valid ULID for fixtures: a fixed time part and a distinguishing tail. */
export const ulid = (n: number): string => `01J00000000000000000${String(n).padStart(6, "0")}`

export const SESSION_A = ulid(1)
export const SESSION_B = ulid(2)

export const sha = (c: string): string => c.repeat(64).slice(0, 64)

export interface EnvelopeFixture {
  readonly id: string
  readonly kind?: MessageKind
  readonly from?: string
  readonly to?: string
  readonly subject?: string
  readonly body?: string
  readonly artifacts?: ReadonlyArray<string>
  readonly createdAtMs?: number
  readonly expiresAtMs?: number
}

export const envelopeJson = (f: EnvelopeFixture): string =>
  JSON.stringify(
    Schema.encodeSync(MessageEnvelope)(
      Schema.decodeUnknownSync(MessageEnvelope)({
        v: 1,
        id: f.id,
        kind: f.kind ?? "direct",
        from: { sessionId: f.from ?? SESSION_A, label: "alice" },
        to: f.kind === "broadcast" ? [] : [{ sessionId: f.to ?? SESSION_B, label: "bob" }],
        subject: f.subject ?? "hello",
        body: f.body ?? "",
        threadId: f.id,
        artifacts: f.artifacts ?? [],
        createdAt: DateTime.formatIso(DateTime.unsafeMake(f.createdAtMs ?? 0)),
        ...(f.expiresAtMs !== undefined ? { expiresAt: DateTime.formatIso(DateTime.unsafeMake(f.expiresAtMs)) } : {}),
        origin: "local"
      })
    )
  )

export const putFile = (path: string, text: string | Uint8Array) => Effect.flatMap(Store, (s) => s.write(path, text))
export const exists = (path: string) =>
  Effect.flatMap(Store, (s) => s.stat(path)).pipe(Effect.map((o) => o._tag === "Some"))

const artifactMetaJson = (shaHex: string, size: number): string =>
  JSON.stringify(
    Schema.encodeSync(ArtifactMeta)(
      Schema.decodeUnknownSync(ArtifactMeta)({
        v: 1,
        sha256: shaHex,
        size,
        mimeType: "text/plain",
        postedBy: SESSION_A,
        createdAt: "1970-01-01T00:00:00.000Z"
      })
    )
  )

/** Stores an artifact (bytes + meta) as the Artifacts service would. */
export const putArtifact = (shaHex: string, bytes: string) =>
  Effect.zipRight(
    putFile(Layout.artifactBytes(shaHex), bytes),
    putFile(Layout.artifactMeta(shaHex), artifactMetaJson(shaHex, bytes.length))
  )
