import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * One SQLite transaction whose commit does not wait for the disk: on the connection reserved for it (no other
 * statement of the process runs in between), `synchronous = NORMAL` before `BEGIN`, `FULL` again before the
 * connection is given back. In WAL mode the commit is written to the log, not fsynced. An ack's transaction runs
 * so (a power loss loses the ack only: docs/adr/0061-relay-acks-without-fsync-and-a-partial-index.md); a send
 * batch runs so and is answered only once the log is fsynced off the event loop
 * (docs/adr/0062-relay-sqlite-log-fsynced-off-the-event-loop.md). A crash of the process loses nothing either way.
 * If `FULL` cannot be set again the process dies rather than let another transaction commit without its fsync.
 */
export const relaxedSqlite = <A, E>(sql: SqlClient.SqlClient, body: Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const conn = yield* sql.reserve
      // Prepared once and kept in the connection's statement cache: these four run with every batch.
      const exec = (text: string) => conn.execute(text, [], undefined)
      yield* Effect.addFinalizer(() => Effect.orDie(exec("PRAGMA synchronous = FULL")))
      yield* exec("PRAGMA synchronous = NORMAL")
      yield* exec("BEGIN")
      const rollback = Effect.ignore(exec("ROLLBACK"))
      const out = yield* body.pipe(
        Effect.provideService(SqlClient.TransactionConnection, [conn, 0] as const),
        Effect.onError(() => rollback)
      )
      yield* exec("COMMIT").pipe(Effect.onError(() => rollback))
      return out
    })
  )
