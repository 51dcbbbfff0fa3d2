import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { RelayStoreIo } from "../RelayErrors.js"
import type { Enqueued, EnqueueInput, RelayStoreShape } from "../RelayStore.js"
import type { EnqueueRefusal } from "./EnqueueBatch.js"
import { io, now, num, type Row, toSentStatus, toSpoolEntry } from "./Rows.js"

type SpoolPart = Pick<RelayStoreShape, "enqueue" | "fetch" | "ack" | "getSentStatus">

/**
 * The per-recipient spool (CLOUD.md 2.7). `write` stores a message through the group commit (EnqueueBatch.ts):
 * every message gets the next value of its recipient's own counter under the recipient's row lock, held until
 * commit, so commits for one recipient happen in seq order and a reader polling `seq > cursor` never passes a
 * row that commits late (a global sequence would let it).
 */
export const makeSpool = (
  sql: SqlClient.SqlClient,
  write: (input: EnqueueInput) => Effect.Effect<Enqueued, EnqueueRefusal | RelayStoreIo>
): SpoolPart => {
  const sentStatus = (senderId: number, msgId: Uint8Array) =>
    Effect.map(sql<Row>`SELECT * FROM sent_status WHERE sender_id = ${senderId} AND msg_id = ${msgId}`, (rows) =>
      Option.map(Option.fromNullable(rows[0]), toSentStatus)
    )
  // A retried id answers with the seq it got the first time, and costs no counter value.
  const duplicateOf = (senderId: number, msgId: Uint8Array) =>
    Effect.map(
      sentStatus(senderId, msgId),
      Option.map((s) => ({ seq: s.seq ?? 0, duplicate: true }))
    )
  const enqueue: SpoolPart["enqueue"] = (m) =>
    // The batch answers a known id itself. A retry of the same id racing on another replica loses on
    // UNIQUE(sender_id, msg_id) and its transaction rolls back: it then finds the winner's row here.
    write(m).pipe(
      Effect.catchTag("RelayStoreIo", (error) =>
        Effect.flatMap(
          duplicateOf(m.senderId, m.msgId).pipe(io("enqueue")),
          Option.match({ onNone: () => Effect.fail(error), onSome: Effect.succeed })
        )
      )
    )

  const ack: SpoolPart["ack"] = (recipientId, upTo) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // Only the recipient moves its cursor, never past the last seq handed out, never backwards.
          const updated = yield* sql<Row>`UPDATE accounts SET acked_seq = CASE
              WHEN acked_seq >= ${upTo} THEN acked_seq WHEN next_seq < ${upTo} THEN next_seq ELSE ${upTo} END
            WHERE id = ${recipientId} RETURNING acked_seq`
          const ackedSeq = num(updated[0]?.["acked_seq"] ?? 0)
          yield* sql`UPDATE sent_status SET state = 'delivered', updated_at = ${at}
            WHERE recipient_id = ${recipientId} AND state = 'stored' AND seq <= ${ackedSeq}`
          const deleted = yield* sql<Row>`DELETE FROM spool
            WHERE recipient_id = ${recipientId} AND seq <= ${ackedSeq} RETURNING seq`
          return { ackedSeq, deleted: deleted.length }
        })
      )
    }).pipe(io("ack"))

  const fetch: SpoolPart["fetch"] = (recipientId, after, limit) =>
    Effect.gen(function* () {
      if (after > 0) yield* ack(recipientId, after)
      const rows = yield* sql<Row>`SELECT seq, sender_id, msg_id, rk, ct, created_at, expires_at FROM spool
        WHERE recipient_id = ${recipientId} AND seq > ${after} ORDER BY seq LIMIT ${limit}`.pipe(io("fetch"))
      return rows.map(toSpoolEntry)
    })

  return {
    enqueue,
    fetch,
    ack,
    getSentStatus: (senderId, msgId) => sentStatus(senderId, msgId).pipe(io("getSentStatus"))
  }
}
