import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type { Enqueued, EnqueueInput } from "../RelayStore.js"
import { contactPairs, decide, type EnqueueRefusal, idsBySender, recipientIds } from "./EnqueueDecide.js"
import { makeEnqueueBatchPg } from "./EnqueueBatchPg.js"
import { now, type Row } from "./Rows.js"
import { type RunOn, runOn, transactionOn } from "./SqliteTransaction.js"

export type { EnqueueRefusal } from "./EnqueueDecide.js"

/**
 * Stores a batch of messages in one transaction (CLOUD.md 2.7): the recipients' rows are locked first, in id order
 * (two batches cannot deadlock on them), then every message is checked in arrival order against what the database
 * and the earlier messages of the batch say: a known `(sender, msgId)` answers its first seq (`duplicate`), a
 * missing or disabled recipient, a pair that is not an active contact and a full recipient refuse that message
 * only. Every check happens before any write of the message, so a refusal leaves nothing to undo. The stored
 * ones take the recipient's next seqs (dense, in arrival order), go in with one multi-row INSERT per table, and
 * each recipient's counter is written once. The caller answers after the commit.
 *
 * On PostgreSQL the same reads and writes go in two round trips (EnqueueBatchPg.ts,
 * docs/adr/0052-relay-postgres-batches-in-two-round-trips.md); SQLite, in process, runs one statement each, on the
 * connection the batch reserved.
 */
export const makeEnqueueBatch = (sql: SqlClient.SqlClient, pendingCap: number) =>
  sql.onDialectOrElse({
    pg: () => makeEnqueueBatchPg(sql, pendingCap),
    orElse: () => makeEnqueueBatchEach(sql, pendingCap)
  })

/**
 * The batch as one statement per step, in one transaction on the connection reserved for it (SQLite; see
 * SqliteTransaction.ts): each statement compiled by the client and run on the connection directly, without the
 * client's per-statement span, scope and acquire (about 70 of the fiber runtime's steps each inside a
 * transaction, against about 20; ADR-0083).
 */
export const makeEnqueueBatchEach =
  (sql: SqlClient.SqlClient, pendingCap: number) =>
  (items: ReadonlyArray<EnqueueInput>): Effect.Effect<ReadonlyArray<Exit.Exit<Enqueued, EnqueueRefusal>>, unknown> =>
    Effect.flatMap(now, (at) =>
      Effect.scoped(
        Effect.flatMap(sql.reserve, (conn) => transactionOn(conn, batchOn(sql, runOn(conn), items, pendingCap, at)))
      )
    )

const batchOn = (
  sql: SqlClient.SqlClient,
  run: RunOn,
  items: ReadonlyArray<EnqueueInput>,
  pendingCap: number,
  at: number
) =>
  Effect.gen(function* () {
    // 1. Lock the recipients' rows (one UPDATE, in primary-key order) and count what waits for each. On
    //    SQLite this first write also takes the database's write lock, so no read lock is ever upgraded.
    const ids = recipientIds(items)
    const locked = yield* run(sql<Row>`UPDATE accounts SET next_seq = next_seq
      WHERE id IN ${sql.in(ids)} AND disabled_at IS NULL RETURNING id, next_seq`)
    const waiting = yield* run(sql<Row>`SELECT recipient_id, COUNT(*) AS n FROM spool
      WHERE recipient_id IN ${sql.in(ids)} GROUP BY recipient_id`)
    // 2. Ids already stored (a retry answers its first seq), one query for the batch.
    const stored = yield* run(
      sql<Row>`SELECT sender_id, msg_id, seq FROM sent_status WHERE ${sql.or(
        [...idsBySender(items)].map(
          ([senderId, msgIds]) => sql`(sender_id = ${senderId} AND msg_id IN ${sql.in(msgIds)})`
        )
      )}`
    )
    // 3. Each pair's contact state, one query for the batch.
    const contacts = yield* run(
      sql<Row>`SELECT a_id, b_id, state FROM contacts WHERE ${sql.or(
        contactPairs(items).map(([a, b]) => sql`(a_id = ${a} AND b_id = ${b})`)
      )}`
    )
    // 4. Decide each message in arrival order.
    const { moved, outcomes, sent, spool } = decide(items, { locked, waiting, stored, contacts }, pendingCap, at)
    // 5. The writes: the rows, and every counter in one UPDATE.
    if (spool.length > 0) {
      yield* run(sql`INSERT INTO spool ${sql.insert(spool)}`)
      yield* run(sql`INSERT INTO sent_status ${sql.insert(sent)}`)
      const cases = moved.map(([id, next]) => sql`WHEN ${id} THEN CAST(${next} AS BIGINT)`)
      yield* run(sql`UPDATE accounts SET next_seq = CASE id ${sql.join(" ", false)(cases)} END
        WHERE id IN ${sql.in(moved.map(([id]) => id))}`)
    }
    return outcomes
  })
