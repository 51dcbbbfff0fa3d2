import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"

/** The test PostgreSQL server's URL. In CI (.ci/run) it is always set and must be reachable: suites fail, never skip. */
export const pgUrl = process.env["SESSION_BRIDGE_TEST_PG_URL"]
export const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/** Runs one statement on the database at `base` over a connection of its own, and returns its rows. */
export const pgQuery = <A = Record<string, unknown>>(base: string, statement: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe<A & object>(statement)).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(base), maxConnections: 1 }))
      )
    )
  )
