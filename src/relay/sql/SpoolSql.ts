import type * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { Submit } from "../GroupCommit.js"
import type { RelayStoreIo } from "../RelayErrors.js"
import type { Acked, Enqueued, EnqueueInput, RelayStoreShape } from "../RelayStore.js"
import type { AckInput } from "./AckBatch.js"
import type { EnqueueRefusal } from "./EnqueueBatch.js"
import { io, num, type Row, toSentStatus, toSpoolEntry } from "./Rows.js"
import type { SpoolReadsShape } from "./SpoolReads.js"
import { noTails, RECIPIENTS_KEPT, type SpoolTails } from "./SpoolTails.js"

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

type SpoolPart = Pick<RelayStoreShape, "enqueue" | "fetch" | "read" | "ack" | "getSentStatus">

/**
 * The per-recipient spool (CLOUD.md 2.7). `write` stores a message through the group commit (EnqueueBatch.ts):
 * every message gets the next value of its recipient's own counter under the recipient's row lock, held until
 * commit, so commits for one recipient happen in seq order and a reader polling `seq > cursor` never passes a
 * row that commits late (a global sequence would let it). Polls read through `reads` (SpoolReads.ts).
 */
export const makeSpool = (
  sql: SqlClient.SqlClient,
  write: (input: EnqueueInput) => Effect.Effect<Enqueued, EnqueueRefusal | RelayStoreIo>,
  writeAck: Submit<AckInput, Acked, RelayStoreIo>,
  reads: SpoolReadsShape,
  tails: SpoolTails = noTails
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

  // The ack drops rows ≤ `after`, the read takes rows > `after`: the read does not wait for the ack, which joins
  // the next ack batch (a poll's answer does not wait for a commit, and the acks of many polls share one). A failed
  // ack is logged; the next poll with the same cursor acks again. `ackedUpTo` holds, per recipient, a cursor this
  // process's own acks have committed: a poll at or below it acks nothing (the idle case, a poll re-issued with the
  // same cursor), one above it writes without reading the cursor first (it moves on nearly every busy poll).
  const ackedUpTo = new Map<number, number>()
  const committed = (recipientId: number, acked: Acked) => {
    if (ackedUpTo.size >= RECIPIENTS_KEPT && !ackedUpTo.has(recipientId)) ackedUpTo.clear()
    ackedUpTo.set(recipientId, Math.max(ackedUpTo.get(recipientId) ?? 0, acked.ackedSeq))
  }
  // An ack at or below the cursor has nothing left to do (the ack that moved the cursor dropped every row up to it,
  // and later rows take seqs above it): answered from one read, with no transaction and no commit. A poll re-issued
  // with the same cursor, the idle case, writes nothing.
  const ack: SpoolPart["ack"] = (recipientId, upTo) =>
    Effect.flatMap(reads.ackedSeq(recipientId), (rows) => {
      const current = rows[0] === undefined ? undefined : num(rows[0]["acked_seq"])
      return current !== undefined && current >= upTo
        ? Effect.succeed({ ackedSeq: current, deleted: 0 })
        : writeAck({ recipientId, upTo })
    }).pipe(
      io("ack"),
      Effect.tap((acked) => Effect.sync(() => committed(recipientId, acked)))
    )

  // Queued for the ack batch without waiting for it, and without a fiber of its own (ADR-0064).
  const ackLater = (recipientId: number, upTo: number) =>
    Effect.suspend(() =>
      (ackedUpTo.get(recipientId) ?? 0) >= upTo
        ? Effect.void
        : writeAck.detached({ recipientId, upTo }, (exit) =>
            Exit.isSuccess(exit)
              ? Effect.sync(() => committed(recipientId, exit.value))
              : Effect.logWarning("poll_ack_failed").pipe(
                  Effect.annotateLogs({ detail: messageOf(Cause.squash(exit.cause)).slice(0, 200) })
                )
          )
    )

  // A read that saw every row above its cursor tells the tails where the recipient's spool ends.
  const read: SpoolPart["read"] = (recipientId, after, limit) =>
    Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
      const started = tails.readStarts()
      return reads.rows(recipientId, after, limit).pipe(
        Effect.map((rows) => rows.map(toSpoolEntry)),
        Effect.tap((entries) =>
          Effect.sync(() => {
            if (entries.length < limit) tails.observed(recipientId, entries.at(-1)?.seq ?? after, startedAt, started)
          })
        ),
        io("fetch")
      )
    })
  // A poll at the known end of its recipient's spool (the one just answered comes straight back) has nothing to
  // read; its waiter, registered before, is woken by the next send (SpoolTails.ts).
  const fetch: SpoolPart["fetch"] = (recipientId, after, limit) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const acked = after > 0 ? ackLater(recipientId, after) : Effect.void
      return tails.nothingAbove(recipientId, after, now)
        ? Effect.as(acked, [])
        : Effect.zipRight(acked, read(recipientId, after, limit))
    })

  return {
    enqueue,
    fetch,
    read,
    ack,
    getSentStatus: (senderId, msgId) => sentStatus(senderId, msgId).pipe(io("getSentStatus"))
  }
}
