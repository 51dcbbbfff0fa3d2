import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { runOn, transactionOn } from "../../src/relay/sql/SqliteTransaction.js"

/** A fresh SQLite database with one table, `t(id, v)`. */
const database = () =>
  SqliteClient.layer({ filename: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-sqltx-")), "t.db") }).pipe(
    Layer.tap((ctx) =>
      Effect.asVoid(
        SqlClient.SqlClient.pipe(
          Effect.flatMap((sql) => sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`),
          Effect.provide(ctx)
        )
      )
    )
  )

const values = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ v: string }>`SELECT v FROM t ORDER BY id`, (rows) => rows.map((r) => r.v))
)

/** `body` (given the client and a runner on the reserved connection) in one transaction, as the relay's batches run. */
const inTransaction = <A, E>(body: (sql: SqlClient.SqlClient, run: ReturnType<typeof runOn>) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.scoped(Effect.flatMap(sql.reserve, (conn) => transactionOn(conn, body(sql, runOn(conn)))))
  )

describe("SqliteTransaction", () => {
  it.live("commits what the body ran, statements compiled by the client with their fragments", () =>
    Effect.gen(function* () {
      yield* inTransaction((sql, run) =>
        Effect.gen(function* () {
          yield* run(sql`INSERT INTO t ${sql.insert([{ v: "a" }, { v: "b" }])}`)
          const rows = yield* run(sql<{ v: string }>`SELECT v FROM t WHERE v IN ${sql.in(["a", "b"])} ORDER BY v`)
          assert.deepStrictEqual(
            rows.map((r) => r.v),
            ["a", "b"]
          )
        })
      )
      assert.deepStrictEqual(yield* values, ["a", "b"])
    }).pipe(Effect.provide(database()))
  )

  it.live("rolls back everything when the body fails, and the connection serves the next transaction", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        inTransaction((sql, run) =>
          Effect.zipRight(run(sql`INSERT INTO t ${sql.insert({ v: "lost" })}`), Effect.fail("refused" as const))
        )
      )
      assert.deepStrictEqual(exit, Exit.fail("refused"))
      assert.deepStrictEqual(yield* values, [])
      yield* inTransaction((sql, run) => run(sql`INSERT INTO t ${sql.insert({ v: "kept" })}`))
      assert.deepStrictEqual(yield* values, ["kept"])
    }).pipe(Effect.provide(database()))
  )

  it.live("a statement the body runs through the client goes to the reserved connection (no wait for it)", () =>
    Effect.gen(function* () {
      yield* inTransaction((sql) => sql`INSERT INTO t ${sql.insert({ v: "via the client" })}`).pipe(
        Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => "waited for its own connection" as const })
      )
      assert.deepStrictEqual(yield* values, ["via the client"])
    }).pipe(Effect.provide(database()))
  )

  it.live("a statement from outside waits for the transaction to end and sees it whole", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const started = yield* Deferred.make<void>()
      // Another fiber, not forked inside the transaction: its statement is let go mid-transaction and runs only once
      // the connection is given back.
      const outside = yield* Effect.fork(Effect.zipRight(Deferred.await(started), values))
      yield* inTransaction((_, run) =>
        Effect.gen(function* () {
          yield* run(sql`INSERT INTO t ${sql.insert({ v: "one" })}`)
          yield* Deferred.succeed(started, undefined)
          yield* Effect.sleep("20 millis")
          yield* run(sql`INSERT INTO t ${sql.insert({ v: "two" })}`)
        })
      )
      assert.deepStrictEqual(yield* Fiber.join(outside), ["one", "two"])
    }).pipe(Effect.provide(database()))
  )
})
