import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { toHex } from "../../protocol/Bytes.js"
import { RelayStoreIo } from "../RelayErrors.js"
import type { Enqueued, EnqueueInput, FreshEntry } from "../RelayStore.js"
import {
  type BatchWrites,
  contactPairs,
  decide,
  type EnqueueRefusal,
  idsBySender,
  recipientIds
} from "./EnqueueDecide.js"
import { INBOX_CHANNEL, inboxRows, plainRk } from "./Notify.js"
import { now, type Row } from "./Rows.js"

/**
 * Integers and bytes as SQL literals: digits only (every id is checked to be a safe integer first, see
 * `literalsSafe`), and `decode('<hex>', 'hex')`. Nothing else is ever written into the SQL text.
 */
const intLiteral = (n: number): string => String(n)
const bytesLiteral = (b: Uint8Array) => `decode('${toHex(b)}', 'hex')`
/** Whether every number `lockAndReadText` writes into its text is a safe integer (else the batch is refused). */
export const literalsSafe = (items: ReadonlyArray<EnqueueInput>): boolean =>
  items.every((m) => Number.isSafeInteger(m.senderId) && Number.isSafeInteger(m.recipientId))

const list = (values: ReadonlyArray<string>) => `(${values.join(", ")})`

/**
 * The first round trip, one simple-protocol query of five statements: BEGIN, the row locks (one UPDATE in primary
 * key order), then the three reads. Under READ COMMITTED each statement takes its own snapshot, so the reads see
 * everything committed before the locks were granted, exactly as separate queries would.
 */
export const lockAndReadText = (items: ReadonlyArray<EnqueueInput>): string => {
  const ids = list(recipientIds(items).map(intLiteral))
  const stored = [...idsBySender(items)]
    .map(([s, msgIds]) => `(sender_id = ${intLiteral(s)} AND msg_id IN ${list(msgIds.map(bytesLiteral))})`)
    .join(" OR ")
  const pairs = contactPairs(items)
    .map(([a, b]) => `(a_id = ${intLiteral(a)} AND b_id = ${intLiteral(b)})`)
    .join(" OR ")
  return [
    "BEGIN",
    `UPDATE accounts SET next_seq = next_seq WHERE id IN ${ids} AND disabled_at IS NULL RETURNING id, next_seq`,
    `SELECT recipient_id, COUNT(*) AS n FROM spool WHERE recipient_id IN ${ids} GROUP BY recipient_id`,
    `SELECT sender_id, msg_id, seq FROM sent_status WHERE ${stored}`,
    // Shared row locks: a revoke that commits first is seen, one that comes later waits for this commit.
    `SELECT a_id, b_id, state FROM contacts WHERE ${pairs} FOR SHARE`
  ].join(";\n")
}

/** Most ciphertext bytes a batch writes into its SQL text (as hex); a bigger batch sends its writes as parameters. */
export const inlineCtBytes = 256 * 1024

/** Whether the writes can be text: every number a safe integer, every `rk` plain letters, digits and `_`. */
export const writesInlineable = ({ moved, spool }: BatchWrites): boolean => {
  let ct = 0
  for (const r of spool) {
    ct += r.ct.length
    const ints = [r.recipient_id, r.seq, r.sender_id, r.created_at, r.expires_at]
    if (!ints.every(Number.isSafeInteger) || !plainRk.test(r.rk)) return false
  }
  return ct <= inlineCtBytes && moved.every(([id, next]) => Number.isSafeInteger(id) && Number.isSafeInteger(next))
}

/**
 * The notice of each recipient the batch moved, sent by PostgreSQL at commit: `<account id>:<its last seq>`
 * (sql/Notify.ts), so every replica knows where that spool now ends.
 */
const notifyEach = `SELECT pg_notify('${INBOX_CHANNEL}', id::text || ':' || next_seq::text) FROM u`

/**
 * The same notices, each followed by the rows the batch stored for its recipient when they fit (`inboxRows`), so a
 * poll parked on another replica answers without reading them (docs/adr/0076-pg-notices-carry-small-rows.md). The
 * id and seq still come from the UPDATE; a recipient whose rows do not fit is notified as above.
 */
export const notifyWithRows = (spool: BatchWrites["spool"]): string => {
  const byRecipient = new Map<number, Array<FreshEntry>>()
  for (const r of spool) {
    const rows = byRecipient.get(r.recipient_id) ?? []
    rows.push({ seq: r.seq, senderId: r.sender_id, msgId: r.msg_id, rk: r.rk, ct: r.ct, expiresAt: r.expires_at })
    byRecipient.set(r.recipient_id, rows)
  }
  const tails: Array<string> = []
  for (const [id, rows] of byRecipient) {
    const text = inboxRows(rows)
    if (text !== undefined && Number.isSafeInteger(id)) tails.push(`(${intLiteral(id)}::bigint, '${text}')`)
  }
  if (tails.length === 0) return notifyEach
  return (
    `SELECT pg_notify('${INBOX_CHANNEL}', u.id::text || ':' || u.next_seq::text || COALESCE(n.tail, '')) ` +
    `FROM u LEFT JOIN (VALUES ${tails.join(", ")}) AS n(id, tail) ON n.id = u.id`
  )
}

/** The writes of step 2 and the COMMIT as one simple query (the caller checked `writesInlineable`). */
export const writeAndCommitText = ({ moved, sent, spool }: BatchWrites): string => {
  const spoolValues = spool.map(
    (r) =>
      `(${r.recipient_id}, ${r.seq}, ${r.sender_id}, ${bytesLiteral(r.msg_id)}, '${r.rk}', ${bytesLiteral(r.ct)}, ` +
      `${r.created_at}, ${r.expires_at})`
  )
  const sentValues = sent.map(
    (r) => `(${r.sender_id}, ${bytesLiteral(r.msg_id)}, ${r.recipient_id}, ${r.seq}, 'stored', ${r.updated_at})`
  )
  const cases = moved.map(([id, next]) => `WHEN ${id} THEN CAST(${next} AS BIGINT)`).join(" ")
  return [
    `WITH s AS (INSERT INTO spool (recipient_id, seq, sender_id, msg_id, rk, ct, created_at, expires_at) VALUES ` +
      `${spoolValues.join(", ")}), ` +
      `t AS (INSERT INTO sent_status (sender_id, msg_id, recipient_id, seq, state, updated_at) VALUES ` +
      `${sentValues.join(", ")}), ` +
      `u AS (UPDATE accounts SET next_seq = CASE id ${cases} END WHERE id IN ${list(moved.map(([id]) => String(id)))} ` +
      `RETURNING id, next_seq) ${notifyWithRows(spool)}`,
    "COMMIT"
  ].join(";\n")
}

const rowsOf = (results: ReadonlyArray<unknown>, i: number): ReadonlyArray<Row> => {
  const rows = results[i]
  return Array.isArray(rows) ? (rows as ReadonlyArray<Row>) : []
}

/**
 * The batch of EnqueueBatch.ts on PostgreSQL in two round trips instead of ten
 * (docs/adr/0052-relay-postgres-batches-in-two-round-trips.md), on one reserved connection:
 *
 * 1. `BEGIN; UPDATE accounts … RETURNING; SELECT counts; SELECT known ids; SELECT contacts FOR SHARE` as one
 *    simple-protocol query (only integers and hex-encoded ids are written into it);
 * 2. the writes as one statement (data-modifying CTEs): the spool rows, the sent_status rows, every counter, and
 *    `pg_notify('sb_inbox', '<id>:<last seq>')` per recipient that got a message, delivered by PostgreSQL at
 *    commit; then `COMMIT`, in the same simple query when every value can be written as text (`writesInlineable`:
 *    safe integers, hex, plain key ids, at most 256 KiB of ciphertext), else the writes with parameters and
 *    `COMMIT` after them (three round trips). The text form adds each recipient's rows to its notice when they fit
 *    (`notifyWithRows`). A batch that stores nothing only commits; any failure sends `ROLLBACK`.
 */
export const makeEnqueueBatchPg =
  (sql: SqlClient.SqlClient, pendingCap: number) =>
  (items: ReadonlyArray<EnqueueInput>): Effect.Effect<ReadonlyArray<Exit.Exit<Enqueued, EnqueueRefusal>>, unknown> =>
    Effect.gen(function* () {
      const at = yield* now
      if (!literalsSafe(items)) {
        return yield* new RelayStoreIo({ op: "enqueue", cause: "an account id is not a safe integer" })
      }
      const text = lockAndReadText(items)
      const conn = yield* sql.reserve
      const run = (statement: string, params: ReadonlyArray<unknown> = []) =>
        conn.executeUnprepared(statement, params, undefined)
      const work = Effect.gen(function* () {
        const results = yield* run(text)
        const reads = {
          locked: rowsOf(results, 1),
          waiting: rowsOf(results, 2),
          stored: rowsOf(results, 3),
          contacts: rowsOf(results, 4)
        }
        const { moved, outcomes, sent, spool } = decide(items, reads, pendingCap, at)
        const writes = { moved, sent, spool }
        if (spool.length === 0) yield* run("COMMIT")
        else if (writesInlineable(writes)) yield* run(writeAndCommitText(writes))
        else {
          const cases = moved.map(([id, next]) => sql`WHEN ${id} THEN CAST(${next} AS BIGINT)`)
          const [write, params] = sql`WITH s AS (INSERT INTO spool ${sql.insert(spool)}),
              t AS (INSERT INTO sent_status ${sql.insert(sent)}),
              u AS (UPDATE accounts SET next_seq = CASE id ${sql.join(" ", false)(cases)} END
                WHERE id IN ${sql.in(moved.map(([id]) => id))} RETURNING id, next_seq)
            ${sql.literal(notifyEach)}`.compile()
          yield* run(write, params)
          yield* run("COMMIT")
        }
        return outcomes
      })
      return yield* work.pipe(Effect.onError(() => Effect.ignore(run("ROLLBACK"))))
    }).pipe(Effect.scoped)
