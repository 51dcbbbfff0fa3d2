import { assert, describe, it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"

/** The test PostgreSQL server's URL. In CI (.ci/run) it is always set and must be reachable: suites fail, never skip. */
export const pgUrl = process.env["SESSION_BRIDGE_TEST_PG_URL"]
export const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/**
 * The suite `name` when no test server is set: under CI one test fails saying so (a PostgreSQL suite never skips
 * there); elsewhere that test is skipped.
 */
export const describeWithoutPg = (name: string) =>
  describe(name, () => {
    it.skipIf(!inCi)("SESSION_BRIDGE_TEST_PG_URL is set (required under CI)", () => {
      assert.fail("SESSION_BRIDGE_TEST_PG_URL is not set: the PostgreSQL suite cannot run under CI without it")
    })
  })

/** Runs one statement on the database at `base` over a connection of its own, and returns its rows. */
export const pgQuery = <A = Record<string, unknown>>(base: string, statement: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe<A & object>(statement)).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(base), maxConnections: 1 }))
      )
    )
  )

/**
 * A scratch database of its own (NOTIFY channels and `pg_stat_activity.datname` are per database, so nothing
 * another test or relay on the same server does can wake or be mistaken for these relays).
 */
export const scratchDatabase = async (base: string, tag: string) => {
  const name = `sb_${tag}_${process.pid}_${Date.now().toString(36)}`
  await pgQuery(base, `CREATE DATABASE ${name}`).catch((error: unknown) => {
    throw new Error(
      `CREATE DATABASE failed: the role in SESSION_BRIDGE_TEST_PG_URL needs CREATEDB (.ci/run grants it)`,
      {
        cause: error
      }
    )
  })
  const scoped = new URL(base)
  scoped.pathname = `/${name}`
  // `WITH (FORCE)` refuses, for a role that may not signal it, a backend it cannot terminate: an autovacuum worker
  // that happens to be cleaning up after the test. Such a worker is done within moments, so the drop is retried.
  const drop = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await pgQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } catch (error) {
        if (attempt >= 40) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  }
  return { name, url: scoped.toString(), drop }
}

/** Polls `check` every 25 ms until it holds, or fails naming `what` after `ms`. */
export const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
