import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import * as Effect from "effect/Effect"

/** Runs a statement on one connection, compiled by the client that made it, without the client's per-statement path. */
export type RunOn = <A extends object>(statement: Statement.Statement<A>) => Effect.Effect<ReadonlyArray<A>, SqlError>

/** `run` for `conn`: the statement compiled to its text and values, executed on the connection directly. */
export const runOn =
  (conn: SqlConnection.Connection): RunOn =>
  <A extends object>(statement: Statement.Statement<A>) => {
    const [text, params] = statement.compile()
    return conn.execute(text, params, undefined) as Effect.Effect<ReadonlyArray<A>, SqlError>
  }

/**
 * `body` in one transaction on `conn`, a connection the caller reserved (`sql.reserve`: on SQLite the one
 * connection, which no other statement of the process uses until the caller's scope closes). BEGIN, the body, COMMIT;
 * ROLLBACK when the body or the commit fails. Statements the body runs through the client itself go to `conn` too
 * (it is the transaction's connection, as `sql.withTransaction` would make it), so nothing waits for the connection
 * the transaction holds (ADR-0061, ADR-0083).
 */
export const transactionOn = <A, E>(
  conn: SqlConnection.Connection,
  body: Effect.Effect<A, E>
): Effect.Effect<A, E | SqlError> =>
  Effect.gen(function* () {
    const exec = (text: string) => conn.execute(text, [], undefined)
    yield* exec("BEGIN")
    const rollback = Effect.ignore(exec("ROLLBACK"))
    const out = yield* body.pipe(
      Effect.provideService(SqlClient.TransactionConnection, [conn, 0] as const),
      Effect.onError(() => rollback)
    )
    yield* exec("COMMIT").pipe(Effect.onError(() => rollback))
    return out
  })
