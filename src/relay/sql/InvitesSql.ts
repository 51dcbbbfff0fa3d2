import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { InviteInvalid, InviteLimit } from "../RelayErrors.js"
import { RelayLimits, type RelayStoreShape } from "../RelayStore.js"
import { io, now, pair, type Row, toInvite } from "./Rows.js"

type InvitesPart = Pick<
  RelayStoreShape,
  "createInvite" | "getOpenInvite" | "redeemInvite" | "listRedeemedInvites" | "revokeInvite"
>

/** Invites: single use, enforced by one conditional UPDATE (CLOUD.md 2.3). */
export const makeInvites = (sql: SqlClient.SqlClient): InvitesPart => {
  const select = sql`SELECT i.*, inviter.handle AS inviter_handle, redeemer.handle AS redeemer_handle
    FROM invites i JOIN accounts inviter ON inviter.id = i.inviter_id
    LEFT JOIN accounts redeemer ON redeemer.id = i.redeemed_by`
  const open = (at: number) =>
    sql`i.redeemed_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ${at} AND inviter.disabled_at IS NULL`

  const createInvite: InvitesPart["createInvite"] = (input) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // A write first: it takes the inviter's row lock (PostgreSQL) or the write lock (SQLite), so two creations
          // at once cannot both see 19 open invites.
          yield* sql`UPDATE accounts SET next_seq = next_seq WHERE id = ${input.inviterId}`
          const counted = yield* sql<Row>`SELECT COUNT(*) AS n FROM invites
            WHERE inviter_id = ${input.inviterId} AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > ${at}`
          if (Number(counted[0]?.["n"] ?? 0) >= RelayLimits.openInvitesPerAccount) {
            return yield* new InviteLimit({ limit: RelayLimits.openInvitesPerAccount })
          }
          const inserted = yield* sql<Row>`INSERT INTO invites (id, inviter_id, offer, expires_at)
            VALUES (${input.id}, ${input.inviterId}, ${input.offer}, ${input.expiresAt})
            ON CONFLICT (id) DO NOTHING RETURNING id`
          if (inserted.length === 0) return yield* new InviteInvalid()
        })
      )
    }).pipe(io("createInvite"))

  const getOpenInvite: InvitesPart["getOpenInvite"] = (id) =>
    Effect.gen(function* () {
      const at = yield* now
      const rows = yield* sql<Row>`${select} WHERE i.id = ${id} AND ${open(at)}`
      const row = rows[0]
      if (row === undefined) return yield* new InviteInvalid()
      return toInvite(row)
    }).pipe(io("getOpenInvite"))

  const redeemInvite: InvitesPart["redeemInvite"] = ({ id, redeemerId, reply }) =>
    Effect.gen(function* () {
      const at = yield* now
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const redeemed = yield* sql<Row>`UPDATE invites SET redeemed_by = ${redeemerId}, redeemed_at = ${at},
              reply = ${reply}
            WHERE id = ${id} AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > ${at}
              AND inviter_id <> ${redeemerId}
              AND inviter_id IN (SELECT id FROM accounts WHERE disabled_at IS NULL)
            RETURNING inviter_id`
          const inviter = redeemed[0]
          if (inviter === undefined) return yield* new InviteInvalid()
          const [a, b] = pair(Number(inviter["inviter_id"]), redeemerId)
          // A revoked or pending pair starts over as pending; an active contact stays active.
          yield* sql`INSERT INTO contacts (a_id, b_id, state, invite_id, created_at)
            VALUES (${a}, ${b}, 'pending', ${id}, ${at})
            ON CONFLICT (a_id, b_id) DO UPDATE SET state = 'pending', invite_id = excluded.invite_id,
              created_at = excluded.created_at, accepted_at = NULL, revoked_at = NULL, revoked_by = NULL
            WHERE contacts.state <> 'active'`
          const rows = yield* sql<Row>`${select} WHERE i.id = ${id}`
          const row = rows[0]
          if (row === undefined) return yield* new InviteInvalid()
          return toInvite(row)
        })
      )
    }).pipe(io("redeemInvite"))

  return {
    createInvite,
    getOpenInvite,
    redeemInvite,
    listRedeemedInvites: (inviterId) =>
      Effect.map(
        sql<Row>`${select} WHERE i.inviter_id = ${inviterId} AND i.redeemed_at IS NOT NULL
          AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.redeemed_at`,
        (rows) => rows.map(toInvite)
      ).pipe(io("listRedeemedInvites")),
    revokeInvite: (inviterId, id) =>
      Effect.flatMap(
        now,
        (at) => sql<Row>`UPDATE invites SET revoked_at = ${at}
          WHERE id = ${id} AND inviter_id = ${inviterId} AND accepted_at IS NULL AND revoked_at IS NULL
          RETURNING id`
      ).pipe(
        Effect.map((rows) => rows.length > 0),
        io("revokeInvite")
      )
  }
}
