import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { toHex } from "../../protocol/Bytes.js"
import { AccountNotFound, EkSeqStale, HandleTaken, RelayAuth } from "../RelayErrors.js"
import type { NewAccount, RelayStoreShape } from "../RelayStore.js"
import { makeTokenCache, type TokenCache } from "../TokenCache.js"
import { accountPayload, notifyTokens, tokenPayload } from "./Notify.js"
import { io, now, num, type Row, toAccount } from "./Rows.js"

type AccountsPart = Pick<
  RelayStoreShape,
  | "createAccount"
  | "createAccountWithToken"
  | "getAccount"
  | "getAccountByHandle"
  | "updateEkRecord"
  | "disableAccount"
  | "listAccounts"
  | "insertToken"
  | "accountForToken"
  | "accountIdForToken"
  | "touchToken"
  | "revokeToken"
  | "revokeAllTokens"
  | "audit"
  | "listAudit"
>

/** Accounts, tokens and the audit log; `tokens` caches token → account id for `accountIdForToken`. */
export const makeAccounts = (sql: SqlClient.SqlClient, tokens: TokenCache = makeTokenCache(0)): AccountsPart => {
  const byHandle = (handle: string) =>
    Effect.map(sql<Row>`SELECT * FROM accounts WHERE handle = ${handle}`, (rows) =>
      Option.map(Option.fromNullable(rows[0]), toAccount)
    )
  const byId = (id: number) =>
    Effect.map(sql<Row>`SELECT * FROM accounts WHERE id = ${id}`, (rows) =>
      Option.map(Option.fromNullable(rows[0]), toAccount)
    )

  const insertAccount = (input: NewAccount, at: number) =>
    Effect.gen(function* () {
      const inserted = yield* sql<Row>`INSERT INTO accounts (handle, ik_pub, ek_record, ek_seq, created_at)
        VALUES (${input.handle}, ${input.ikPub}, ${input.ekRecord}, ${input.ekSeq}, ${at})
        ON CONFLICT (handle) DO NOTHING RETURNING *`
      const row = inserted[0]
      if (row === undefined) return yield* new HandleTaken({ handle: input.handle })
      return toAccount(row)
    })

  const createAccount: AccountsPart["createAccount"] = (input) =>
    Effect.flatMap(now, (at) => insertAccount(input, at)).pipe(io("createAccount"))

  const createAccountWithToken: AccountsPart["createAccountWithToken"] = (input) =>
    Effect.flatMap(now, (at) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const account = yield* insertAccount(input, at)
          yield* sql`INSERT INTO tokens (account_id, token_hash, label, created_at)
            VALUES (${account.id}, ${input.tokenHash}, ${input.tokenLabel}, ${at})`
          yield* sql`INSERT INTO audit (at, actor, event, detail) VALUES (${at}, ${account.id}, 'register', ${input.handle})`
          return account
        })
      )
    ).pipe(io("createAccountWithToken"))

  const updateEkRecord: AccountsPart["updateEkRecord"] = (id, ekRecord, ekSeq) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          const updated = yield* sql<Row>`UPDATE accounts SET ek_record = ${ekRecord}, ek_seq = ${ekSeq}
            WHERE id = ${id} AND ek_seq < ${ekSeq} RETURNING id`
          if (updated.length > 0) return
          const account = yield* byId(id)
          if (Option.isNone(account)) return yield* new AccountNotFound({ account: String(id) })
          return yield* new EkSeqStale({ stored: account.value.ekSeq, given: ekSeq })
        })
      )
      .pipe(io("updateEkRecord"))

  // Each revoke tells the other PostgreSQL replicas in its transaction, so their token caches drop what it revoked
  // at its commit (sql/Notify.ts).
  const revokeAll = (accountId: number, at: number) =>
    Effect.zipLeft(
      Effect.map(
        sql<Row>`UPDATE tokens SET revoked_at = ${at}
        WHERE account_id = ${accountId} AND revoked_at IS NULL RETURNING id`,
        (rows) => rows.length
      ),
      notifyTokens(sql, accountPayload(accountId))
    )

  const disableAccount: AccountsPart["disableAccount"] = (id) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const updated = yield* sql<Row>`UPDATE accounts SET disabled_at = ${at}
            WHERE id = ${id} AND disabled_at IS NULL RETURNING id`
          yield* revokeAll(id, at)
          if (updated.length > 0) return true
          if (Option.isNone(yield* byId(id))) return yield* new AccountNotFound({ account: String(id) })
          return false
        })
      )
    }).pipe(Effect.ensuring(Effect.sync(() => tokens.dropAccount(id))), io("disableAccount"))

  const accountForToken: AccountsPart["accountForToken"] = (tokenHash) =>
    Effect.gen(function* () {
      const rows = yield* sql<Row>`SELECT a.* FROM tokens t JOIN accounts a ON a.id = t.account_id
        WHERE t.token_hash = ${tokenHash} AND t.revoked_at IS NULL AND a.disabled_at IS NULL`
      const row = rows[0]
      if (row === undefined) return yield* new RelayAuth()
      return toAccount(row)
    }).pipe(io("accountForToken"))

  const accountIdForToken: AccountsPart["accountIdForToken"] = (tokenHash) =>
    Effect.gen(function* () {
      const key = toHex(tokenHash)
      const cached = tokens.get(key, yield* now)
      if (cached !== undefined) return cached
      const generation = tokens.generation()
      const account = yield* accountForToken(tokenHash)
      tokens.set(key, account.id, generation, yield* now)
      return account.id
    })

  return {
    createAccount,
    createAccountWithToken,
    getAccount: (id) => byId(id).pipe(io("getAccount")),
    getAccountByHandle: (handle) => byHandle(handle).pipe(io("getAccountByHandle")),
    updateEkRecord,
    disableAccount,
    listAccounts: Effect.map(sql<Row>`SELECT * FROM accounts ORDER BY id`, (rows) => rows.map(toAccount)).pipe(
      io("listAccounts")
    ),
    insertToken: (accountId, tokenHash, label) =>
      Effect.flatMap(
        now,
        (at) => sql`INSERT INTO tokens (account_id, token_hash, label, created_at)
          VALUES (${accountId}, ${tokenHash}, ${label ?? null}, ${at})`
      ).pipe(Effect.asVoid, io("insertToken")),
    accountForToken,
    accountIdForToken,
    touchToken: (tokenHash) =>
      Effect.flatMap(now, (at) => sql`UPDATE tokens SET last_used_at = ${at} WHERE token_hash = ${tokenHash}`).pipe(
        Effect.asVoid,
        io("touchToken")
      ),
    revokeToken: (tokenHash) =>
      Effect.flatMap(now, (at) =>
        sql.withTransaction(
          Effect.zipLeft(
            sql<Row>`UPDATE tokens SET revoked_at = ${at}
              WHERE token_hash = ${tokenHash} AND revoked_at IS NULL RETURNING id`,
            notifyTokens(sql, tokenPayload(toHex(tokenHash)))
          )
        )
      ).pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.ensuring(Effect.sync(() => tokens.dropToken(toHex(tokenHash)))),
        io("revokeToken")
      ),
    revokeAllTokens: (accountId) =>
      Effect.flatMap(now, (at) => sql.withTransaction(revokeAll(accountId, at))).pipe(
        Effect.ensuring(Effect.sync(() => tokens.dropAccount(accountId))),
        io("revokeAllTokens")
      ),
    audit: (actor, event, detail) =>
      Effect.flatMap(
        now,
        (at) => sql`INSERT INTO audit (at, actor, event, detail) VALUES (${at}, ${actor}, ${event}, ${detail})`
      ).pipe(Effect.asVoid, io("audit")),
    listAudit: (limit) =>
      Effect.map(sql<Row>`SELECT * FROM audit ORDER BY id DESC LIMIT ${limit}`, (rows) =>
        rows.map((r) => ({
          at: num(r["at"]),
          actor: r["actor"] === null ? null : num(r["actor"]),
          event: String(r["event"]),
          detail: String(r["detail"])
        }))
      ).pipe(io("listAudit"))
  }
}
