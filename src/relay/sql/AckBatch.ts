import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Acked } from "../RelayStore.js"
import { now, num, type Row } from "./Rows.js"

/** One recipient's ack: move its cursor to `upTo` (capped), drop the rows up to it, mark them delivered. */
export interface AckInput {
  readonly recipientId: number
  readonly upTo: number
}

/**
 * Writes the acks of one batch in one transaction, so many polls acking at once cost one commit (one fsync on
 * SQLite) instead of one each. Each ack runs its three statements as it would alone; they go in recipient-id order,
 * the order the enqueue batch locks the same account rows in, so the two batches cannot deadlock on PostgreSQL.
 * Acks of one recipient keep their arrival order; an ack below the cursor changes nothing (`acked_seq` never moves
 * back). Answers are given in the order the items came.
 */
export const makeAckBatch =
  (sql: SqlClient.SqlClient) =>
  (items: ReadonlyArray<AckInput>): Effect.Effect<ReadonlyArray<Exit.Exit<Acked, never>>, unknown> =>
    Effect.gen(function* () {
      const at = yield* now
      const order = items.map((_, i) => i).sort((x, y) => items[x]!.recipientId - items[y]!.recipientId || x - y)
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const answers: Array<Exit.Exit<Acked, never>> = []
          for (const i of order) {
            const { recipientId, upTo } = items[i]!
            // Only the recipient moves its cursor, never past the last seq handed out, never backwards.
            const updated = yield* sql<Row>`UPDATE accounts SET acked_seq = CASE
                WHEN acked_seq >= ${upTo} THEN acked_seq WHEN next_seq < ${upTo} THEN next_seq ELSE ${upTo} END
              WHERE id = ${recipientId} RETURNING acked_seq`
            const ackedSeq = num(updated[0]?.["acked_seq"] ?? 0)
            yield* sql`UPDATE sent_status SET state = 'delivered', updated_at = ${at}
              WHERE recipient_id = ${recipientId} AND state = 'stored' AND seq <= ${ackedSeq}`
            const deleted = yield* sql<Row>`DELETE FROM spool
              WHERE recipient_id = ${recipientId} AND seq <= ${ackedSeq} RETURNING seq`
            answers[i] = Exit.succeed({ ackedSeq, deleted: deleted.length })
          }
          return answers
        })
      )
    })
