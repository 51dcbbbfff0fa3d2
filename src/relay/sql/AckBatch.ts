import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Acked } from "../RelayStore.js"
import { now, num, type Row } from "./Rows.js"
import { transactionOn } from "./SqliteTransaction.js"

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
 *
 * On PostgreSQL the whole transaction, BEGIN to COMMIT, is one simple-protocol query: its values are integers
 * only, and each of its statements still takes its own snapshot (READ COMMITTED), so the DELETE sees every row
 * committed before the cursor moved. Its commit does not wait for the WAL flush: a lost ack costs a redelivery,
 * which the daemon skips (docs/adr/0052-relay-postgres-batches-in-two-round-trips.md). On SQLite the commit does
 * not wait for the disk either (`synchronous = NORMAL` for this one transaction, see `relaxedSqlite`).
 */
export const makeAckBatch =
  (sql: SqlClient.SqlClient) =>
  (items: ReadonlyArray<AckInput>): Effect.Effect<ReadonlyArray<Exit.Exit<Acked, never>>, unknown> =>
    Effect.gen(function* () {
      const at = yield* now
      const order = items.map((_, i) => i).sort((x, y) => items[x]!.recipientId - items[y]!.recipientId || x - y)
      const inline =
        Number.isSafeInteger(at) &&
        items.every((a) => Number.isSafeInteger(a.recipientId) && Number.isSafeInteger(a.upTo))
      return yield* sql.onDialectOrElse({
        pg: () => (inline ? ackInOneQuery(sql, items, order, at) : ackEach(sql, items, order, at)),
        orElse: () => relaxedSqlite(sql, (conn) => ackEachWith(sqliteStepsOn(conn), items, order, at))
      })
    })

const ackEach = (sql: SqlClient.SqlClient, items: ReadonlyArray<AckInput>, order: ReadonlyArray<number>, at: number) =>
  sql.withTransaction(ackEachWith(stepsOf(sql), items, order, at))

/**
 * One SQLite transaction whose commit does not wait for the disk, as an ack's on PostgreSQL
 * (docs/adr/0061-relay-acks-without-fsync-and-a-partial-index.md): on the connection reserved for it (no other
 * statement of the process runs in between), `synchronous = NORMAL` before `BEGIN`, `FULL` again before the
 * connection is given back. In WAL mode the commit is written, not fsynced; the next `FULL` commit (any send's)
 * fsyncs the log with it. A crash of the process loses nothing; a power loss before that loses the ack only, and
 * the rows come back once to a daemon that skips the ids it has. If `FULL` cannot be set again the process dies
 * rather than answer a send `201` without its fsync.
 */
const relaxedSqlite = <A, E>(sql: SqlClient.SqlClient, body: (conn: SqlConnection.Connection) => Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const conn = yield* sql.reserve
      // Prepared once and kept in the connection's statement cache: these four run with every ack batch.
      const exec = (text: string) => conn.execute(text, [], undefined)
      yield* Effect.addFinalizer(() => Effect.orDie(exec("PRAGMA synchronous = FULL")))
      yield* exec("PRAGMA synchronous = NORMAL")
      return yield* transactionOn(conn, body(conn))
    })
  )

/** The three statements of one ack, as one driver runs them. */
interface AckSteps {
  /** Only the recipient moves its cursor, never past the last seq handed out, never backwards. */
  readonly moveCursor: (recipientId: number, upTo: number) => Effect.Effect<ReadonlyArray<unknown>, SqlError>
  readonly markDelivered: (recipientId: number, ackedSeq: number, at: number) => Effect.Effect<unknown, SqlError>
  readonly dropRows: (recipientId: number, ackedSeq: number) => Effect.Effect<ReadonlyArray<unknown>, SqlError>
}

/** Each ack's three statements, in `order`, inside whatever transaction runs them. */
const ackEachWith = (steps: AckSteps, items: ReadonlyArray<AckInput>, order: ReadonlyArray<number>, at: number) =>
  Effect.gen(function* () {
    const answers: Array<Exit.Exit<Acked, never>> = []
    for (const i of order) {
      const { recipientId, upTo } = items[i]!
      const updated = yield* steps.moveCursor(recipientId, upTo)
      const ackedSeq = num((updated[0] as Row | undefined)?.["acked_seq"] ?? 0)
      yield* steps.markDelivered(recipientId, ackedSeq, at)
      const deleted = yield* steps.dropRows(recipientId, ackedSeq)
      answers[i] = Exit.succeed({ ackedSeq, deleted: deleted.length })
    }
    return answers
  })

/** The steps as statements of the client (PostgreSQL when an ack's values are not all safe integers). */
const stepsOf = (sql: SqlClient.SqlClient): AckSteps => ({
  moveCursor: (recipientId, upTo) => sql<Row>`UPDATE accounts SET acked_seq = CASE
      WHEN acked_seq >= ${upTo} THEN acked_seq WHEN next_seq < ${upTo} THEN next_seq ELSE ${upTo} END
    WHERE id = ${recipientId} RETURNING acked_seq`,
  markDelivered: (recipientId, ackedSeq, at) => sql`UPDATE sent_status SET state = 'delivered', updated_at = ${at}
    WHERE recipient_id = ${recipientId} AND state = 'stored' AND seq <= ${ackedSeq}`,
  dropRows: (recipientId, ackedSeq) => sql<Row>`DELETE FROM spool
    WHERE recipient_id = ${recipientId} AND seq <= ${ackedSeq} RETURNING seq`
})

/**
 * The same steps on SQLite, on the batch's own connection: fixed texts, prepared once and kept in the connection's
 * statement cache, each run without the client's per-statement acquire and scope (ADR-0068).
 */
const sqliteStepsOn = (conn: SqlConnection.Connection): AckSteps => ({
  moveCursor: (recipientId, upTo) => conn.execute(SQLITE_MOVE_CURSOR, [upTo, upTo, upTo, recipientId], undefined),
  markDelivered: (recipientId, ackedSeq, at) =>
    conn.execute(SQLITE_MARK_DELIVERED, [at, recipientId, ackedSeq], undefined),
  dropRows: (recipientId, ackedSeq) => conn.execute(SQLITE_DROP_ROWS, [recipientId, ackedSeq], undefined)
})

const SQLITE_MOVE_CURSOR = `UPDATE accounts SET acked_seq = CASE
  WHEN acked_seq >= ? THEN acked_seq WHEN next_seq < ? THEN next_seq ELSE ? END WHERE id = ? RETURNING acked_seq`
const SQLITE_MARK_DELIVERED = `UPDATE sent_status SET state = 'delivered', updated_at = ?
  WHERE recipient_id = ? AND state = 'stored' AND seq <= ?`
const SQLITE_DROP_ROWS = "DELETE FROM spool WHERE recipient_id = ? AND seq <= ? RETURNING seq"

/** The three statements of one ack with its integers written in (the caller checked they are safe integers). */
export const ackStatements = ({ recipientId: r, upTo: u }: AckInput, at: number): ReadonlyArray<string> => {
  const cursor = `(SELECT acked_seq FROM accounts WHERE id = ${r})`
  return [
    `UPDATE accounts SET acked_seq = CASE WHEN acked_seq >= ${u} THEN acked_seq WHEN next_seq < ${u} THEN next_seq ` +
      `ELSE ${u} END WHERE id = ${r} RETURNING acked_seq`,
    `UPDATE sent_status SET state = 'delivered', updated_at = ${at} ` +
      `WHERE recipient_id = ${r} AND state = 'stored' AND seq <= ${cursor}`,
    `WITH d AS (DELETE FROM spool WHERE recipient_id = ${r} AND seq <= ${cursor} RETURNING 1) SELECT COUNT(*) AS n FROM d`
  ]
}

const ackInOneQuery = (
  sql: SqlClient.SqlClient,
  items: ReadonlyArray<AckInput>,
  order: ReadonlyArray<number>,
  at: number
) =>
  Effect.gen(function* () {
    // An ack's commit does not wait for its WAL flush: the next send's commit flushes it, or the WAL writer within
    // wal_writer_delay. A crash in between loses the ack only, and the daemon skips the ids it already stored.
    const text = [
      "BEGIN",
      "SET LOCAL synchronous_commit = off",
      ...order.flatMap((i) => ackStatements(items[i]!, at)),
      "COMMIT"
    ].join(";\n")
    const conn = yield* sql.reserve
    const results = yield* conn
      .executeUnprepared(text, [], undefined)
      .pipe(Effect.onError(() => Effect.ignore(conn.executeUnprepared("ROLLBACK", [], undefined))))
    const rows = (k: number): ReadonlyArray<Row> => {
      const r = results[k]
      return Array.isArray(r) ? (r as ReadonlyArray<Row>) : []
    }
    const answers: Array<Exit.Exit<Acked, never>> = []
    order.forEach((i, k) => {
      const ackedSeq = num(rows(2 + 3 * k)[0]?.["acked_seq"] ?? 0)
      answers[i] = Exit.succeed({ ackedSeq, deleted: num(rows(4 + 3 * k)[0]?.["n"] ?? 0) })
    })
    return answers
  }).pipe(Effect.scoped)
