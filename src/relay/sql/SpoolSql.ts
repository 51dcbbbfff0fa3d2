import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AccountNotFound, ContactRevoked, NotAContact, RecipientQuota } from "../RelayErrors.js"
import { RelayLimits, type RelayStoreShape } from "../RelayStore.js"
import { io, now, num, pair, type Row, toSentStatus, toSpoolEntry } from "./Rows.js"

type SpoolPart = Pick<RelayStoreShape, "enqueue" | "fetch" | "ack" | "getSentStatus">

/**
 * The per-recipient spool (CLOUD.md 2.7). Every message gets the next value of its recipient's own counter, taken by
 * an UPDATE that holds the recipient's row lock until commit: commits for one recipient happen in seq order, so a
 * reader polling `seq > cursor` never passes a row that commits late (a global sequence would let it).
 */
export const makeSpool = (
  sql: SqlClient.SqlClient,
  pendingCap: number = RelayLimits.pendingMessagesPerRecipient
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
  const forShare = sql.onDialectOrElse({ pg: () => sql.literal("FOR SHARE"), orElse: () => sql.literal("") })
  const notify = (recipientId: number) =>
    sql.onDialectOrElse({
      pg: () => Effect.asVoid(sql`SELECT pg_notify('sb_inbox', ${String(recipientId)})`),
      orElse: () => Effect.void
    })

  const insert: SpoolPart["enqueue"] = (m) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const bumped = yield* sql<Row>`UPDATE accounts SET next_seq = next_seq + 1
            WHERE id = ${m.recipientId} AND disabled_at IS NULL RETURNING next_seq`
          const seqRow = bumped[0]
          if (seqRow === undefined) return yield* new AccountNotFound({ account: String(m.recipientId) })
          const seq = num(seqRow["next_seq"])
          const [a, b] = pair(m.senderId, m.recipientId)
          const contact = yield* sql<Row>`SELECT state FROM contacts WHERE a_id = ${a} AND b_id = ${b} ${forShare}`
          const state = contact[0]?.["state"]
          if (state === "revoked") return yield* new ContactRevoked()
          if (state !== "active") return yield* new NotAContact()
          const pending = yield* sql<Row>`SELECT COUNT(*) AS n FROM spool WHERE recipient_id = ${m.recipientId}`
          if (num(pending[0]?.["n"] ?? 0) >= pendingCap) {
            return yield* new RecipientQuota({ what: "messages", limit: pendingCap })
          }
          yield* sql`INSERT INTO spool (recipient_id, seq, sender_id, msg_id, rk, ct, created_at, expires_at)
            VALUES (${m.recipientId}, ${seq}, ${m.senderId}, ${m.msgId}, ${m.rk}, ${m.ct}, ${at}, ${m.expiresAt})`
          yield* sql`INSERT INTO sent_status (sender_id, msg_id, recipient_id, seq, state, updated_at)
            VALUES (${m.senderId}, ${m.msgId}, ${m.recipientId}, ${seq}, 'stored', ${at})`
          yield* notify(m.recipientId)
          return { seq, duplicate: false }
        })
      )
    }).pipe(io("enqueue"))

  const enqueue: SpoolPart["enqueue"] = (m) =>
    Effect.gen(function* () {
      const known = yield* duplicateOf(m.senderId, m.msgId).pipe(io("enqueue"))
      if (Option.isSome(known)) return known.value
      // A concurrent retry of the same id loses on UNIQUE(sender_id, msg_id) and its transaction rolls back whole:
      // it then finds the winner's row.
      return yield* insert(m).pipe(
        Effect.catchTag("RelayStoreIo", (error) =>
          Effect.flatMap(
            duplicateOf(m.senderId, m.msgId).pipe(io("enqueue")),
            Option.match({ onNone: () => Effect.fail(error), onSome: Effect.succeed })
          )
        )
      )
    })

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
