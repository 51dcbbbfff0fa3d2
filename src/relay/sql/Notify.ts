import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { fromBase64Url, toBase64Url } from "../../protocol/Bytes.js"
import type { FreshEntry } from "../RelayStore.js"

/**
 * What PostgreSQL replicas tell each other through NOTIFY, delivered at commit to every replica's LISTEN
 * connection (docs/adr/0027-pg-listen-waiters.md, docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md).
 */

/**
 * A recipient's spool grew: `<account id>:<highest seq committed>`, one per recipient per batch, followed by
 * `:<rows>` when the rows that batch stored for the recipient fit (`inboxRows`): a poll parked on another replica
 * answers with them instead of reading them back (docs/adr/0076-pg-notices-carry-small-rows.md).
 */
export const INBOX_CHANNEL = "sb_inbox"
/**
 * Most characters of a notice's rows: PostgreSQL refuses a payload of 8,000 bytes or more, and the id and seq in
 * front of the rows take at most 32. A batch whose rows for a recipient are longer notifies `<id>:<seq>` alone.
 */
export const INBOX_ROWS_MAX_CHARS = 7_900
/** Tokens stopped counting: `t:<token hash, hex>` (one revoked) or `a:<account id>` (all of an account's). */
export const TOKENS_CHANNEL = "sb_tokens"

/** An inbox payload: the recipient and, from this release on, the highest seq its transaction committed. */
export interface InboxNotice {
  readonly recipientId: number
  /** Absent in the bare `<account id>` an earlier release sends. */
  readonly seq: number | undefined
  /** The rows the transaction stored for the recipient (ascending, dense, the last one at `seq`), when they fit. */
  readonly rows?: ReadonlyArray<FreshEntry> | undefined
}

/** A plain key id: the only `rk` written into SQL text (EnqueueBatchPg.ts) or carried in a notice's rows. */
export const plainRk = /^[0-9A-Za-z_]{1,64}$/

/**
 * The rows of one recipient as a notice's tail: `:` then `<seq>.<sender id>.<msg id>.<rk>.<ct>.<expires at>` per
 * row, joined by `;` (ids and times as decimal digits, `msg id` and `ct` as base64url). Undefined when they are
 * longer than `INBOX_ROWS_MAX_CHARS` or a value cannot travel as these characters; every character is one of
 * `[0-9A-Za-z_.;:-]`, so the text can be written into SQL as a literal.
 */
export const inboxRows = (rows: ReadonlyArray<FreshEntry>): string | undefined => {
  const parts: Array<string> = []
  let length = 1
  for (const r of rows) {
    const ints = [r.seq, r.senderId, r.expiresAt]
    if (!ints.every((n) => Number.isSafeInteger(n) && n >= 0) || !plainRk.test(r.rk)) return undefined
    const part = `${r.seq}.${r.senderId}.${toBase64Url(r.msgId)}.${r.rk}.${toBase64Url(r.ct)}.${r.expiresAt}`
    length += part.length + 1
    if (length > INBOX_ROWS_MAX_CHARS) return undefined
    parts.push(part)
  }
  return parts.length === 0 ? undefined : `:${parts.join(";")}`
}

const wholeNumber = (text: string): number | undefined => {
  if (!/^[0-9]{1,16}$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : undefined
}

/** A notice's rows, or undefined unless every row parses and they run densely up to `seq`. */
const parseRows = (text: string, seq: number): ReadonlyArray<FreshEntry> | undefined => {
  const rows: Array<FreshEntry> = []
  for (const part of text.split(";")) {
    const f = part.split(".")
    if (f.length !== 6) return undefined
    const [rowSeq, senderId, expiresAt] = [wholeNumber(f[0]!), wholeNumber(f[1]!), wholeNumber(f[5]!)]
    const msgId = Option.getOrUndefined(fromBase64Url(f[2]!))
    const ct = Option.getOrUndefined(fromBase64Url(f[4]!))
    if (rowSeq === undefined || senderId === undefined || expiresAt === undefined) return undefined
    if (msgId === undefined || ct === undefined || !plainRk.test(f[3]!)) return undefined
    const before = rows[rows.length - 1]
    if (before !== undefined && rowSeq !== before.seq + 1) return undefined
    rows.push({ seq: rowSeq, senderId, msgId, rk: f[3]!, ct, expiresAt })
  }
  return rows[rows.length - 1]?.seq === seq ? rows : undefined
}

const positiveInt = (text: string): number | undefined => {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined
  const n = Number(text)
  return n > 0 ? n : undefined
}

/**
 * `<id>`, `<id>:<seq>` or `<id>:<seq>:<rows>`. Rows that do not parse, or do not run densely up to `seq`, are left
 * out: the notice still wakes the recipient's polls, which then read.
 */
export const parseInbox = (payload: string): InboxNotice | undefined => {
  const colon = payload.indexOf(":")
  const recipientId = positiveInt(colon < 0 ? payload : payload.slice(0, colon))
  if (recipientId === undefined) return undefined
  if (colon < 0) return { recipientId, seq: undefined }
  const second = payload.indexOf(":", colon + 1)
  const seq = positiveInt(second < 0 ? payload.slice(colon + 1) : payload.slice(colon + 1, second))
  if (seq === undefined) return undefined
  if (second < 0) return { recipientId, seq }
  return { recipientId, seq, rows: parseRows(payload.slice(second + 1), seq) }
}

export type TokensNotice =
  { readonly _tag: "Token"; readonly hashHex: string } | { readonly _tag: "Account"; readonly accountId: number }

export const tokenPayload = (hashHex: string) => `t:${hashHex}`
export const accountPayload = (accountId: number) => `a:${accountId}`

export const parseTokens = (payload: string): TokensNotice | undefined => {
  if (payload.startsWith("t:")) {
    const hashHex = payload.slice(2)
    return /^[0-9a-f]{2,128}$/.test(hashHex) ? { _tag: "Token", hashHex } : undefined
  }
  const accountId = payload.startsWith("a:") ? positiveInt(payload.slice(2)) : undefined
  return accountId === undefined ? undefined : { _tag: "Account", accountId }
}

/**
 * Tells every replica, at the commit of the transaction this runs in, that `payload`'s tokens no longer count.
 * PostgreSQL only: a SQLite relay is the only process serving its file.
 */
export const notifyTokens = (sql: SqlClient.SqlClient, payload: string): Effect.Effect<void, SqlError> =>
  sql.onDialectOrElse({
    pg: () => Effect.asVoid(sql`SELECT pg_notify(${TOKENS_CHANNEL}, ${payload})`),
    orElse: () => Effect.void
  })
