import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { RelayLimits, type Swept } from "../RelayStore.js"
import { dropOrphanBlobs } from "./BlobsSql.js"
import { io, now, type Row } from "./Rows.js"

/** An arbitrary constant naming the sweeper's PostgreSQL advisory lock. */
const SWEEP_LOCK = 0x5b5eed

/**
 * The expiry sweep, idempotent and safe on every replica at once (CLOUD.md 3.2): expired spool rows go (their
 * senders see `expired`), then spent invites, blobs whose grants are all done or that expired, and delivery states
 * older than 8 days, and writes one `sweep` audit row with the counts when it removed anything. On PostgreSQL concurrent sweeps take turns on an advisory lock; on SQLite the first write
 * takes the database's write lock.
 */
export const makeSweep = (sql: SqlClient.SqlClient): Effect.Effect<Swept, import("../RelayErrors.js").RelayStoreIo> =>
  Effect.gen(function* () {
    const at = yield* now
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.onDialectOrElse({
          pg: () => Effect.asVoid(sql`SELECT pg_advisory_xact_lock(${SWEEP_LOCK})`),
          orElse: () => Effect.void
        })
        yield* sql`UPDATE sent_status SET state = 'expired', updated_at = ${at}
          WHERE state = 'stored' AND EXISTS (SELECT 1 FROM spool s
            WHERE s.sender_id = sent_status.sender_id AND s.msg_id = sent_status.msg_id AND s.expires_at <= ${at})`
        const spool = yield* sql<Row>`DELETE FROM spool WHERE expires_at <= ${at} RETURNING seq`
        const invites = yield* sql<Row>`DELETE FROM invites WHERE revoked_at IS NOT NULL OR accepted_at IS NOT NULL
          OR (redeemed_at IS NULL AND expires_at <= ${at})
          OR expires_at <= ${at - RelayLimits.redeemedInviteKeepMs} RETURNING inviter_id`
        // A grant is done once its grantee acked past every message it had been sent when it fetched the blob.
        yield* sql`DELETE FROM blob_grants WHERE fetched_seq IS NOT NULL
          AND fetched_seq <= (SELECT a.acked_seq FROM accounts a WHERE a.id = blob_grants.recipient_id)`
        yield* sql`DELETE FROM blob_grants WHERE blob_id IN (SELECT blob_id FROM blobs WHERE expires_at <= ${at})`
        const blobs = yield* dropOrphanBlobs(sql)
        const sent = yield* sql<Row>`DELETE FROM sent_status
          WHERE state <> 'stored' AND updated_at <= ${at - RelayLimits.sentStatusKeepMs} RETURNING seq`
        const swept: Swept = {
          spoolExpired: spool.length,
          invitesDropped: invites.length,
          blobsDropped: blobs,
          sentStatusDropped: sent.length
        }
        // A sweep that removed something leaves one audit row with its counts (an empty one leaves none: every
        // replica sweeps every minute).
        if (Object.values(swept).some((n) => n > 0)) {
          yield* sql`INSERT INTO audit (at, actor, event, detail)
            VALUES (${at}, ${null}, 'sweep', ${JSON.stringify(swept)})`
        }
        return swept
      })
    )
  }).pipe(io("sweep"))
