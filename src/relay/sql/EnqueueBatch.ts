import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Exit from "effect/Exit"
import { AccountNotFound, ContactRevoked, NotAContact, RecipientQuota } from "../RelayErrors.js"
import type { Enqueued, EnqueueInput } from "../RelayStore.js"
import { now, num, pair, type Row } from "./Rows.js"

/** Why one message of a batch is refused; the others of the batch are stored all the same. */
export type EnqueueRefusal = NotAContact | ContactRevoked | RecipientQuota | AccountNotFound

const idKey = (senderId: number, msgId: Uint8Array) => `${senderId}:${Encoding.encodeHex(msgId)}`

interface Recipient {
  /** The last seq handed out, as read under the row lock, plus what this batch handed out since. */
  next: number
  readonly start: number
  /** Spool rows waiting for the recipient, this batch's included. */
  pending: number
}

/**
 * Stores a batch of messages in one transaction (CLOUD.md 2.7): the recipients' rows are locked first, in id order
 * (two batches cannot deadlock on them), then every message is checked in arrival order against what the database
 * and the earlier messages of the batch say: a known `(sender, msgId)` answers its first seq (`duplicate`), a
 * missing or disabled recipient, a pair that is not an active contact and a full recipient refuse that message
 * only. Every check happens before any write of the message, so a refusal leaves nothing to undo. The stored
 * ones take the recipient's next seqs (dense, in arrival order), go in with one multi-row INSERT per table, and
 * each recipient's counter is written once. The caller answers after the commit.
 */
export const makeEnqueueBatch =
  (sql: SqlClient.SqlClient, pendingCap: number) =>
  (items: ReadonlyArray<EnqueueInput>): Effect.Effect<ReadonlyArray<Exit.Exit<Enqueued, EnqueueRefusal>>, unknown> =>
    Effect.gen(function* () {
      const at = yield* now
      const forShare = sql.onDialectOrElse({ pg: () => sql.literal("FOR SHARE"), orElse: () => sql.literal("") })
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // 1. Lock the recipients' rows (one UPDATE, in primary-key order) and count what waits for each. On
          //    SQLite this first write also takes the database's write lock, so no read lock is ever upgraded.
          const ids = [...new Set(items.map((m) => m.recipientId))].sort((x, y) => x - y)
          const locked = yield* sql<Row>`UPDATE accounts SET next_seq = next_seq
            WHERE id IN ${sql.in(ids)} AND disabled_at IS NULL RETURNING id, next_seq`
          const waiting = yield* sql<Row>`SELECT recipient_id, COUNT(*) AS n FROM spool
            WHERE recipient_id IN ${sql.in(ids)} GROUP BY recipient_id`
          const pendingOf = new Map(waiting.map((r) => [num(r["recipient_id"]), num(r["n"])]))
          const recipients = new Map<number, Recipient>()
          for (const r of locked) {
            const id = num(r["id"])
            const next = num(r["next_seq"])
            recipients.set(id, { next, start: next, pending: pendingOf.get(id) ?? 0 })
          }
          // 2. Ids already stored (a retry answers its first seq), one query for the batch.
          const known = new Map<string, Enqueued>()
          const bySender = new Map<number, Array<Uint8Array>>()
          for (const m of items) bySender.set(m.senderId, [...(bySender.get(m.senderId) ?? []), m.msgId])
          const stored = yield* sql<Row>`SELECT sender_id, msg_id, seq FROM sent_status WHERE ${sql.or(
            [...bySender].map(([senderId, msgIds]) => sql`(sender_id = ${senderId} AND msg_id IN ${sql.in(msgIds)})`)
          )}`
          for (const r of stored) {
            const msgId = r["msg_id"]
            if (msgId instanceof Uint8Array) {
              known.set(idKey(num(r["sender_id"]), msgId), { seq: num(r["seq"] ?? 0), duplicate: true })
            }
          }
          // 3. Each pair's contact state, one query for the batch (shared row locks on PostgreSQL, so a revoke
          //    that commits first is seen and one that comes later waits for this commit).
          const pairs = new Map(
            items.map((m) => [pair(m.senderId, m.recipientId).join(":"), pair(m.senderId, m.recipientId)])
          )
          const contactRows = yield* sql<Row>`SELECT a_id, b_id, state FROM contacts WHERE ${sql.or(
            [...pairs.values()].map(([a, b]) => sql`(a_id = ${a} AND b_id = ${b})`)
          )} ${forShare}`
          const contacts = new Map(contactRows.map((r) => [`${num(r["a_id"])}:${num(r["b_id"])}`, r["state"]]))
          // 4. Decide each message in arrival order.
          const spool: Array<Record<string, unknown>> = []
          const sent: Array<Record<string, unknown>> = []
          const outcomes = items.map((m): Exit.Exit<Enqueued, EnqueueRefusal> => {
            const key = idKey(m.senderId, m.msgId)
            const duplicate = known.get(key)
            if (duplicate !== undefined) return Exit.succeed(duplicate)
            const recipient = recipients.get(m.recipientId)
            if (recipient === undefined) {
              return Exit.fail(new AccountNotFound({ account: String(m.recipientId) }))
            }
            const state = contacts.get(pair(m.senderId, m.recipientId).join(":"))
            if (state === "revoked") return Exit.fail(new ContactRevoked())
            if (state !== "active") return Exit.fail(new NotAContact())
            if (recipient.pending >= pendingCap) {
              return Exit.fail(new RecipientQuota({ what: "messages", limit: pendingCap }))
            }
            const seq = ++recipient.next
            recipient.pending++
            known.set(key, { seq, duplicate: true })
            spool.push({
              recipient_id: m.recipientId,
              seq,
              sender_id: m.senderId,
              msg_id: m.msgId,
              rk: m.rk,
              ct: m.ct,
              created_at: at,
              expires_at: m.expiresAt
            })
            sent.push({
              sender_id: m.senderId,
              msg_id: m.msgId,
              recipient_id: m.recipientId,
              seq,
              state: "stored",
              updated_at: at
            })
            return Exit.succeed({ seq, duplicate: false })
          })
          // 5. The writes: the rows, every counter in one UPDATE, and (PostgreSQL) one wake-up per recipient.
          const moved = [...recipients].filter(([, r]) => r.next !== r.start)
          if (spool.length > 0) {
            yield* sql`INSERT INTO spool ${sql.insert(spool)}`
            yield* sql`INSERT INTO sent_status ${sql.insert(sent)}`
            const cases = moved.map(([id, r]) => sql`WHEN ${id} THEN CAST(${r.next} AS BIGINT)`)
            yield* sql`UPDATE accounts SET next_seq = CASE id ${sql.join(" ", false)(cases)} END
              WHERE id IN ${sql.in(moved.map(([id]) => id))}`
            yield* sql.onDialectOrElse({
              pg: () =>
                Effect.asVoid(sql`SELECT pg_notify('sb_inbox', id::text) FROM accounts
                  WHERE id IN ${sql.in(moved.map(([id]) => id))}`),
              orElse: () => Effect.void
            })
          }
          return outcomes
        })
      )
    })
