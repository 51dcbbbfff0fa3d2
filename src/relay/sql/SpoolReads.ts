import * as Reactivity from "@effect/experimental/Reactivity"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Row } from "./Rows.js"

/**
 * The two reads every long-poll makes: a recipient's next spool rows and its cursor. Outside any transaction, they
 * see what has committed.
 */
export interface SpoolReadsShape {
  readonly rows: (recipientId: number, after: number, limit: number) => Effect.Effect<ReadonlyArray<Row>, SqlError>
  readonly ackedSeq: (recipientId: number) => Effect.Effect<ReadonlyArray<Row>, SqlError>
}

/**
 * Where the store's polls read, when not through its `SqlClient` (the SQLite relay's reader connection,
 * docs/adr/0068-sqlite-polls-read-on-a-connection-of-their-own.md).
 */
export class SpoolReads extends Context.Tag("session-bridge/RelaySpoolReads")<SpoolReads, SpoolReadsShape>() {}

const ROWS = `SELECT seq, sender_id, msg_id, rk, ct, created_at, expires_at FROM spool
  WHERE recipient_id = ? AND seq > ? ORDER BY seq LIMIT ?`
const ACKED_SEQ = "SELECT acked_seq FROM accounts WHERE id = ?"

/** The reads through the store's own client: each a statement like any other (PostgreSQL, or a test's client). */
export const readsOn = (sql: SqlClient.SqlClient): SpoolReadsShape => ({
  rows: (recipientId, after, limit) => sql<Row>`SELECT seq, sender_id, msg_id, rk, ct, created_at, expires_at FROM spool
        WHERE recipient_id = ${recipientId} AND seq > ${after} ORDER BY seq LIMIT ${limit}`,
  ackedSeq: (recipientId) => sql<Row>`SELECT acked_seq FROM accounts WHERE id = ${recipientId}`
})

/**
 * A second, read-only connection to the relay's SQLite file, held by this layer alone and used for nothing but the
 * polls' reads. The store's connection is one for the whole process: every statement on it queues behind the
 * group commit's open transaction and pays for the client's permit and scope (about 100 µs a statement, against
 * 15 µs for the query itself). In WAL mode a reader sees the last commit and never blocks the writer.
 */
export const layerSqlite = (filename: string): Layer.Layer<SpoolReads, SqlError> =>
  Layer.scoped(
    SpoolReads,
    Effect.gen(function* () {
      // WAL is the writer's to set (the file is in WAL mode once the store's connection opened it).
      const client = yield* SqliteClient.make({ filename, readonly: true, disableWAL: true })
      // Reserved for as long as the layer lives: no other fiber uses this client, so no permit is taken per read.
      const connection = yield* client.reserve
      yield* connection.execute("PRAGMA busy_timeout = 5000", [], undefined)
      return SpoolReads.of({
        rows: (recipientId, after, limit) =>
          connection.execute(ROWS, [recipientId, after, limit], undefined) as Effect.Effect<
            ReadonlyArray<Row>,
            SqlError
          >,
        ackedSeq: (recipientId) =>
          connection.execute(ACKED_SEQ, [recipientId], undefined) as Effect.Effect<ReadonlyArray<Row>, SqlError>
      })
    })
  ).pipe(Layer.provide(Reactivity.layer))
