import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { BadRequest } from "./HttpErrors.js"
import { RelayStoreIo } from "./RelayErrors.js"
import { CODE_SETTING } from "./RegistrationCode.js"
import { sqliteClient } from "./SqlRelayStore.js"
import { runMigrations } from "./sql/Migrations.js"
import { io, num, type Row } from "./sql/Rows.js"

/** Every table, parents before children; `identity` names a column PostgreSQL generates (kept as it was). */
const TABLES: ReadonlyArray<{ readonly name: string; readonly identity?: string }> = [
  { name: "accounts", identity: "id" },
  { name: "tokens", identity: "id" },
  { name: "invites" },
  { name: "contacts" },
  { name: "spool" },
  { name: "sent_status" },
  { name: "blobs" },
  { name: "blob_chunks" },
  { name: "blob_grants" },
  { name: "presence" },
  { name: "audit", identity: "id" },
  { name: "identity_rotations", identity: "id" },
  { name: "meta" }
]

/**
 * Runs a statement of the other client (SQLite) from inside the PostgreSQL transaction: `@effect/sql` keeps the
 * open transaction's connection in the fiber's context for every client, so it is taken out for this read.
 */
const outsideTransaction = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.mapInputContext(effect, (context: Context.Context<never>) =>
    Context.omit(SqlClient.TransactionConnection)(context)
  )

/** Rows read and written per statement (a blob chunk row is up to 1 MiB). */
const PAGE = 100

/** One page of source rows inserted as one statement, identity values kept. */
const insertPage = (to: SqlClient.SqlClient, table: string, identity: boolean, rows: ReadonlyArray<Row>) => {
  const columns = Object.keys(rows[0] ?? {}).filter((c) => c !== "sb_rowid")
  const params: Array<unknown> = []
  const tuples = rows.map(
    (row) =>
      `(${columns
        .map((c) => {
          params.push(row[c] ?? null)
          return `$${params.length}`
        })
        .join(", ")})`
  )
  const overriding = identity ? " OVERRIDING SYSTEM VALUE" : ""
  return to.unsafe(
    `INSERT INTO ${table} (${columns.join(", ")})${overriding} VALUES ${tuples.join(", ")}`,
    params as Array<never>
  )
}

/**
 * Copies every row of the SQLite store into an empty PostgreSQL store, in one PostgreSQL transaction: ids, tokens,
 * sequence counters and the relay id move unchanged, so daemons keep their tokens and cursors. The identity
 * sequences are then moved past the copied ids. A `registrationCode` kept beside the SQLite file becomes the
 * database's shared code unless the source already has one.
 */
export const copyStore = (
  from: SqlClient.SqlClient,
  to: SqlClient.SqlClient,
  registrationCode: Option.Option<string>
) =>
  Effect.gen(function* () {
    const existing = yield* to<Row>`SELECT COUNT(*) AS n FROM accounts`
    if (num(existing[0]?.["n"] ?? 0) > 0) {
      return yield* new BadRequest({
        detail: "the PostgreSQL database already has accounts: move into a new, empty database"
      })
    }
    return yield* to.withTransaction(
      Effect.gen(function* () {
        // Rows the target's own first start made (its relay id) give way to the source's.
        yield* to`DELETE FROM meta`
        const copied: Record<string, number> = {}
        for (const table of TABLES) {
          let last = 0
          let count = 0
          for (;;) {
            const rows = yield* outsideTransaction(
              from.unsafe<Row>(
                `SELECT rowid AS sb_rowid, * FROM ${table.name} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`,
                [last] as Array<never>
              )
            )
            if (rows.length === 0) break
            yield* insertPage(to, table.name, table.identity !== undefined, rows)
            last = num(rows[rows.length - 1]?.["sb_rowid"])
            count += rows.length
          }
          if (table.identity !== undefined) {
            const column = table.identity
            yield* to.unsafe(`SELECT setval(pg_get_serial_sequence('${table.name}', '${column}'),
              COALESCE(MAX(${column}), 1), MAX(${column}) IS NOT NULL) FROM ${table.name}`)
          }
          copied[table.name] = count
        }
        if (Option.isSome(registrationCode)) {
          yield* to`INSERT INTO meta (key, value) VALUES (${CODE_SETTING}, ${registrationCode.value})
            ON CONFLICT (key) DO NOTHING`
        }
        return copied
      })
    )
  }).pipe(io("migrate to PostgreSQL"))

/** Opens both databases (each migrated to the current schema first), copies, and answers the rows per table. */
export const moveToPg = (options: {
  readonly filename: string
  readonly url: string
  readonly registrationCode: Option.Option<string>
}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const open = <E, R>(layer: Layer.Layer<SqlClient.SqlClient, E, R>) =>
        Effect.gen(function* () {
          const sql = Context.get(yield* Layer.build(layer), SqlClient.SqlClient)
          yield* Effect.provideService(runMigrations, SqlClient.SqlClient, sql).pipe(
            Effect.mapError((cause) => new RelayStoreIo({ op: "migrate", cause }))
          )
          return sql
        })
      const from = yield* open(sqliteClient({ filename: options.filename }))
      const to = yield* open(
        PgClient.layer({
          url: Redacted.make(options.url),
          applicationName: "session-bridge-relay-migrate",
          maxConnections: 2
        }).pipe(Layer.mapError((cause) => new RelayStoreIo({ op: "connect", cause })))
      )
      return yield* copyStore(from, to, options.registrationCode)
    })
  )
