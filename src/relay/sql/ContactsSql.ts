import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ContactRevoked, NotAContact } from "../RelayErrors.js"
import type { Contact, RelayStoreShape } from "../RelayStore.js"
import { dropOrphanBlobs } from "./BlobsSql.js"
import { io, now, pair, type Row, toContact } from "./Rows.js"

type ContactsPart = Pick<RelayStoreShape, "getContact" | "listContacts" | "acceptContact" | "revokeContact">

/** The pair's contact row as `self` sees it. Shared with the spool, which checks it inside its transaction. */
export const contactOf = (sql: SqlClient.SqlClient, self: number, peer: number) => {
  const [a, b] = pair(self, peer)
  return Effect.map(
    sql<Row>`SELECT c.*, ${peer} AS peer_id, acc.handle AS peer_handle
      FROM contacts c JOIN accounts acc ON acc.id = ${peer} WHERE c.a_id = ${a} AND c.b_id = ${b}`,
    (rows): Option.Option<Contact> => Option.map(Option.fromNullable(rows[0]), toContact)
  )
}

/** Contacts: one row per pair; accept by the inviter, revoke by either side in one transaction (CLOUD.md 2.10). */
export const makeContacts = (sql: SqlClient.SqlClient): ContactsPart => {
  const acceptContact: ContactsPart["acceptContact"] = (inviterId, redeemerId) =>
    Effect.gen(function* () {
      const at = yield* now
      const [a, b] = pair(inviterId, redeemerId)
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          const accepted = yield* sql<Row>`UPDATE contacts SET state = 'active', accepted_at = ${at}
            WHERE a_id = ${a} AND b_id = ${b} AND state = 'pending' AND invite_id IN (
              SELECT id FROM invites WHERE inviter_id = ${inviterId} AND redeemed_by = ${redeemerId}
                AND revoked_at IS NULL)
            RETURNING invite_id`
          const row = accepted[0]
          if (row !== undefined) yield* sql`UPDATE invites SET accepted_at = ${at} WHERE id = ${row["invite_id"]}`
          const contact = yield* contactOf(sql, inviterId, redeemerId)
          if (Option.isNone(contact)) return yield* new NotAContact()
          if (contact.value.state === "revoked") return yield* new ContactRevoked()
          if (contact.value.state !== "active") return yield* new NotAContact()
          return contact.value
        })
      )
    }).pipe(io("acceptContact"))

  const revokeContact: ContactsPart["revokeContact"] = (self, peer) =>
    Effect.gen(function* () {
      const at = yield* now
      const [a, b] = pair(self, peer)
      return yield* sql.withTransaction(
        Effect.gen(function* () {
          // The contact row first: its row lock orders this against an enqueue that checks it (FOR SHARE).
          const revoked = yield* sql<Row>`UPDATE contacts SET state = 'revoked', revoked_at = ${at},
              revoked_by = ${self}
            WHERE a_id = ${a} AND b_id = ${b} AND state <> 'revoked' RETURNING a_id`
          if (revoked.length === 0) {
            const existing = yield* contactOf(sql, self, peer)
            if (Option.isNone(existing)) return yield* new NotAContact()
          }
          const between = sql`((sender_id = ${a} AND recipient_id = ${b}) OR (sender_id = ${b} AND recipient_id = ${a}))`
          yield* sql`UPDATE sent_status SET state = 'refused', reason = 'revoked', updated_at = ${at}
            WHERE state = 'stored' AND ${between}`
          const deleted = yield* sql<Row>`DELETE FROM spool WHERE ${between} RETURNING seq`
          yield* sql`DELETE FROM blob_grants WHERE
            (recipient_id = ${a} AND blob_id IN (SELECT blob_id FROM blobs WHERE uploader_id = ${b}))
            OR (recipient_id = ${b} AND blob_id IN (SELECT blob_id FROM blobs WHERE uploader_id = ${a}))`
          yield* dropOrphanBlobs(sql)
          yield* sql`DELETE FROM presence WHERE (owner_id = ${a} AND viewer_id = ${b})
            OR (owner_id = ${b} AND viewer_id = ${a})`
          return { deletedMessages: deleted.length }
        })
      )
    }).pipe(io("revokeContact"))

  return {
    getContact: (self, peer) => contactOf(sql, self, peer).pipe(io("getContact")),
    listContacts: (self) =>
      Effect.map(
        sql<Row>`SELECT c.*, acc.id AS peer_id, acc.handle AS peer_handle FROM contacts c
          JOIN accounts acc ON acc.id = CASE WHEN c.a_id = ${self} THEN c.b_id ELSE c.a_id END
          WHERE c.a_id = ${self} OR c.b_id = ${self} ORDER BY acc.handle`,
        (rows) => rows.map(toContact)
      ).pipe(io("listContacts")),
    acceptContact,
    revokeContact
  }
}
