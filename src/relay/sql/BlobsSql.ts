import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { RecipientQuota } from "../RelayErrors.js"
import { RelayLimits, type RelayStoreShape } from "../RelayStore.js"
import { bytes, io, now, num, type Row } from "./Rows.js"

type BlobsPart = Pick<RelayStoreShape, "putBlob" | "getBlob" | "markBlobFetched" | "putPresence" | "getPresence">

/** Drops every blob no grant points at any more (all grantees done, or the grants were revoked). */
export const dropOrphanBlobs = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    const orphan = sql`NOT EXISTS (SELECT 1 FROM blob_grants g WHERE g.blob_id = blobs.blob_id)`
    yield* sql`DELETE FROM blob_chunks WHERE blob_id IN (SELECT blob_id FROM blobs WHERE ${orphan})`
    const dropped = yield* sql<Row>`DELETE FROM blobs WHERE ${orphan} RETURNING blob_id`
    return dropped.length
  })

/** Blobs in 1 MiB chunk rows (any replica can serve them) and per-viewer sealed presence blobs. */
export const makeBlobs = (sql: SqlClient.SqlClient): BlobsPart => {
  const pendingBytes = (recipientId: number) =>
    Effect.map(
      sql<Row>`SELECT COALESCE(SUM(b.size), 0) AS n FROM blobs b JOIN blob_grants g ON g.blob_id = b.blob_id
        WHERE g.recipient_id = ${recipientId}`,
      (rows) => num(rows[0]?.["n"] ?? 0)
    )

  const putBlob: BlobsPart["putBlob"] = (blob) =>
    Effect.gen(function* () {
      const at = yield* now
      const grantees = [...new Set(blob.grants)].sort((x, y) => x - y)
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // Lock the grantees' rows first (in id order, so two uploads cannot deadlock): the quota check below then
          // sees every other upload to them that committed before.
          for (const id of grantees) yield* sql`UPDATE accounts SET next_seq = next_seq WHERE id = ${id}`
          const existing = yield* sql<Row>`SELECT blob_id FROM blobs WHERE blob_id = ${blob.blobId}`
          const duplicate = existing.length > 0
          const granted = duplicate
            ? new Set(
                (yield* sql<Row>`SELECT recipient_id FROM blob_grants WHERE blob_id = ${blob.blobId}`).map((r) =>
                  num(r["recipient_id"])
                )
              )
            : new Set<number>()
          const fresh = grantees.filter((id) => !granted.has(id))
          for (const id of fresh) {
            if ((yield* pendingBytes(id)) + blob.data.length > RelayLimits.pendingBlobBytesPerRecipient) {
              return yield* new RecipientQuota({ what: "blobs", limit: RelayLimits.pendingBlobBytesPerRecipient })
            }
          }
          if (!duplicate) {
            yield* sql`INSERT INTO blobs (blob_id, uploader_id, size, created_at, expires_at)
              VALUES (${blob.blobId}, ${blob.uploaderId}, ${blob.data.length}, ${at}, ${blob.expiresAt})`
            const size = RelayLimits.blobChunkBytes
            for (let idx = 0; idx * size < blob.data.length || idx === 0; idx++) {
              const data = blob.data.subarray(idx * size, (idx + 1) * size)
              yield* sql`INSERT INTO blob_chunks (blob_id, idx, data) VALUES (${blob.blobId}, ${idx}, ${data})`
            }
          }
          for (const id of fresh) {
            yield* sql`INSERT INTO blob_grants (blob_id, recipient_id) VALUES (${blob.blobId}, ${id})`
          }
          return { duplicate }
        })
      )
    }).pipe(io("putBlob"))

  const getBlob: BlobsPart["getBlob"] = (blobId, viewerId) =>
    Effect.gen(function* () {
      const at = yield* now
      const found = yield* sql<Row>`SELECT b.size, b.uploader_id, b.expires_at FROM blobs b
        JOIN blob_grants g ON g.blob_id = b.blob_id
        WHERE b.blob_id = ${blobId} AND g.recipient_id = ${viewerId} AND b.expires_at > ${at}`
      const row = found[0]
      if (row === undefined) return Option.none()
      const chunks = yield* sql<Row>`SELECT data FROM blob_chunks WHERE blob_id = ${blobId} ORDER BY idx`
      return Option.some({
        size: num(row["size"]),
        uploaderId: num(row["uploader_id"]),
        expiresAt: num(row["expires_at"]),
        chunks: chunks.map((c) => bytes(c["data"]))
      })
    }).pipe(io("getBlob"))

  return {
    putBlob,
    getBlob,
    markBlobFetched: (blobId, recipientId) =>
      Effect.flatMap(
        now,
        (at) => sql`UPDATE blob_grants SET fetched_at = ${at},
            fetched_seq = (SELECT next_seq FROM accounts WHERE id = ${recipientId})
          WHERE blob_id = ${blobId} AND recipient_id = ${recipientId} AND fetched_at IS NULL`
      ).pipe(Effect.asVoid, io("markBlobFetched")),
    putPresence: (ownerId, blobs) =>
      Effect.flatMap(now, (at) =>
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`UPDATE accounts SET last_seen = ${at} WHERE id = ${ownerId}`
            for (const { viewerId, blob } of blobs) {
              yield* sql`INSERT INTO presence (owner_id, viewer_id, blob, updated_at)
                VALUES (${ownerId}, ${viewerId}, ${blob}, ${at})
                ON CONFLICT (owner_id, viewer_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at`
            }
          })
        )
      ).pipe(io("putPresence")),
    getPresence: (viewerId) =>
      Effect.map(
        sql<Row>`SELECT owner_id, blob, updated_at FROM presence WHERE viewer_id = ${viewerId} ORDER BY owner_id`,
        (rows) =>
          rows.map((r) => ({ ownerId: num(r["owner_id"]), blob: bytes(r["blob"]), updatedAt: num(r["updated_at"]) }))
      ).pipe(io("getPresence"))
  }
}
