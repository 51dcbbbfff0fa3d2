import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { toHex } from "../../protocol/Bytes.js"
import { AccountNotFound, EkSeqStale, RelayAuth } from "../RelayErrors.js"
import type { IdentityRotation, RotationStorePart } from "../RelayStoreRotations.js"
import { makeTokenCache, type TokenCache } from "../TokenCache.js"
import { notifyTokens, tokenPayload } from "./Notify.js"
import { bytes, io, now, num, type Row } from "./Rows.js"

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

const toRotation = (r: Row): IdentityRotation => ({
  accountId: num(r["account_id"]),
  oldIk: bytes(r["old_ik"]),
  newIk: bytes(r["new_ik"]),
  ts: num(r["ts"]),
  sigOld: bytes(r["sig_old"]),
  sigNew: bytes(r["sig_new"]),
  createdAt: num(r["created_at"])
})

/**
 * Token and identity rotation (CLOUD.md 2.10, 2.11): each one transaction. `tokens` is the store's token cache: a
 * rotation drops the old token from it when the transaction ends, so this process refuses it at once.
 */
export const makeRotations = (sql: SqlClient.SqlClient, tokens: TokenCache = makeTokenCache(0)): RotationStorePart => {
  const rotateToken: RotationStorePart["rotateToken"] = ({ accountId, oldTokenHash, newTokenHash }) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const inserted = yield* sql<Row>`INSERT INTO tokens (account_id, token_hash, label, created_at)
            VALUES (${accountId}, ${newTokenHash}, 'rotate', ${at})
            ON CONFLICT (token_hash) DO NOTHING RETURNING id`
          if (inserted.length === 0) return false
          // A failure here rolls the insert back: the old token must be live (and this account's) to rotate it.
          const revoked = yield* sql<Row>`UPDATE tokens SET revoked_at = ${at}
            WHERE token_hash = ${oldTokenHash} AND account_id = ${accountId} AND revoked_at IS NULL
              AND account_id IN (SELECT id FROM accounts WHERE disabled_at IS NULL)
            RETURNING id`
          if (revoked.length === 0) return yield* new RelayAuth()
          yield* notifyTokens(sql, tokenPayload(toHex(oldTokenHash)))
          yield* sql`INSERT INTO audit (at, actor, event, detail) VALUES (${at}, ${accountId}, 'token_rotated', '')`
          return true
        })
      )
    }).pipe(Effect.ensuring(Effect.sync(() => tokens.dropToken(toHex(oldTokenHash)))), io("rotateToken"))

  const rotateIdentity: RotationStorePart["rotateIdentity"] = (input) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // Taking the account's row lock first serializes two rotations of one account.
          const rows = yield* sql<Row>`UPDATE accounts SET next_seq = next_seq WHERE id = ${input.accountId}
            RETURNING ik_pub, ek_seq`
          const row = rows[0]
          if (row === undefined) return yield* new AccountNotFound({ account: String(input.accountId) })
          const current = bytes(row["ik_pub"])
          if (!sameBytes(current, input.oldIk)) {
            if (!sameBytes(current, input.newIk)) return "stale" as const
            const kept = yield* sql<Row>`SELECT id FROM identity_rotations
              WHERE account_id = ${input.accountId} AND old_ik = ${input.oldIk} AND new_ik = ${input.newIk}`
            return kept.length > 0 ? ("duplicate" as const) : ("stale" as const)
          }
          if (num(row["ek_seq"]) >= input.ekSeq)
            return yield* new EkSeqStale({ stored: num(row["ek_seq"]), given: input.ekSeq })
          yield* sql`UPDATE accounts SET ik_pub = ${input.newIk}, ek_record = ${input.ekRecord}, ek_seq = ${input.ekSeq}
            WHERE id = ${input.accountId}`
          yield* sql`INSERT INTO identity_rotations (account_id, old_ik, new_ik, ts, sig_old, sig_new, created_at)
            VALUES (${input.accountId}, ${input.oldIk}, ${input.newIk}, ${input.ts}, ${input.sigOld}, ${input.sigNew}, ${at})
            ON CONFLICT (account_id, old_ik) DO NOTHING`
          yield* sql`INSERT INTO audit (at, actor, event, detail)
            VALUES (${at}, ${input.accountId}, 'identity_rotated', '')`
          return "rotated" as const
        })
      )
    }).pipe(io("rotateIdentity"))

  const listIdentityRotations: RotationStorePart["listIdentityRotations"] = (viewerId) =>
    Effect.map(
      sql<Row>`SELECT * FROM identity_rotations WHERE account_id IN (
          SELECT b_id FROM contacts WHERE a_id = ${viewerId} UNION SELECT a_id FROM contacts WHERE b_id = ${viewerId})
        ORDER BY id`,
      (rows) => rows.map(toRotation)
    ).pipe(io("listIdentityRotations"))

  return { rotateToken, rotateIdentity, listIdentityRotations }
}
