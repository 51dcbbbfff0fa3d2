import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"

/**
 * What PostgreSQL replicas tell each other through NOTIFY, delivered at commit to every replica's LISTEN
 * connection (docs/adr/0027-pg-listen-waiters.md, docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md).
 */

/** A recipient's spool grew: `<account id>:<highest seq committed>`, one per recipient per batch. */
export const INBOX_CHANNEL = "sb_inbox"
/** Tokens stopped counting: `t:<token hash, hex>` (one revoked) or `a:<account id>` (all of an account's). */
export const TOKENS_CHANNEL = "sb_tokens"

/** An inbox payload: the recipient and, from this release on, the highest seq its transaction committed. */
export interface InboxNotice {
  readonly recipientId: number
  /** Absent in the bare `<account id>` an earlier release sends. */
  readonly seq: number | undefined
}

const positiveInt = (text: string): number | undefined => {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined
  const n = Number(text)
  return n > 0 ? n : undefined
}

export const parseInbox = (payload: string): InboxNotice | undefined => {
  const colon = payload.indexOf(":")
  const recipientId = positiveInt(colon < 0 ? payload : payload.slice(0, colon))
  if (recipientId === undefined) return undefined
  if (colon < 0) return { recipientId, seq: undefined }
  const seq = positiveInt(payload.slice(colon + 1))
  return seq === undefined ? undefined : { recipientId, seq }
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
