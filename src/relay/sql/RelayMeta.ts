import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { toHex } from "../../protocol/Bytes.js"
import { io, type Row } from "./Rows.js"

/**
 * A value of the `meta` table every replica shares: concurrent first writers (replicas starting together) race on
 * the key; the first insert wins and everyone reads it back. `created` tells the winner apart.
 */
export const claimSetting = (sql: SqlClient.SqlClient) => (key: string, candidate: string) =>
  Effect.gen(function* () {
    const inserted = yield* sql<Row>`INSERT INTO meta (key, value) VALUES (${key}, ${candidate})
      ON CONFLICT (key) DO NOTHING RETURNING value`
    if (inserted.length > 0) return { value: candidate, created: true }
    const rows = yield* sql<Row>`SELECT value FROM meta WHERE key = ${key}`
    return { value: String(rows[0]?.["value"] ?? candidate), created: false }
  }).pipe(io("meta"))

/** The relay's stable random id: 128 bits from the platform's CSPRNG, written once at first start. */
export const ensureRelayId = (sql: SqlClient.SqlClient) =>
  Effect.flatMap(
    Effect.sync(() => toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)))),
    (candidate) => Effect.map(claimSetting(sql)("relay_id", candidate), (kept) => kept.value)
  )
