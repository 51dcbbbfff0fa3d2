import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { io, type Row } from "./Rows.js"

const hex = (data: Uint8Array) => Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("")

/**
 * The relay's stable random id: 128 bits from the platform's CSPRNG, written once at first start. Concurrent first
 * starts (replicas) race on the key; the first insert wins and everyone reads it back.
 */
export const ensureRelayId = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    const candidate = yield* Effect.sync(() => hex(globalThis.crypto.getRandomValues(new Uint8Array(16))))
    yield* sql`INSERT INTO meta (key, value) VALUES ('relay_id', ${candidate}) ON CONFLICT (key) DO NOTHING`
    const rows = yield* sql<Row>`SELECT value FROM meta WHERE key = 'relay_id'`
    return String(rows[0]?.["value"] ?? candidate)
  }).pipe(io("relayId"))
