import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/** Column types per engine. Every time is a unix-ms BIGINT on both engines, so no value needs a dialect of its own. */
interface Types {
  readonly big: string
  readonly bytes: string
  readonly id: string
}

const pgTypes: Types = { big: "BIGINT", bytes: "BYTEA", id: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" }
const sqliteTypes: Types = { big: "INTEGER", bytes: "BLOB", id: "INTEGER PRIMARY KEY" }

/** The relay schema of CLOUD.md 3.2, one statement per entry. */
const schemaV1 = ({ big, bytes, id }: Types): ReadonlyArray<string> => [
  `CREATE TABLE accounts (
    id ${id},
    handle TEXT NOT NULL UNIQUE,
    ik_pub ${bytes} NOT NULL,
    ek_record ${bytes} NOT NULL,
    ek_seq ${big} NOT NULL,
    next_seq ${big} NOT NULL DEFAULT 0,
    acked_seq ${big} NOT NULL DEFAULT 0,
    created_at ${big} NOT NULL,
    disabled_at ${big},
    last_seen ${big})`,
  `CREATE TABLE tokens (
    id ${id},
    account_id ${big} NOT NULL REFERENCES accounts(id),
    token_hash ${bytes} NOT NULL UNIQUE,
    label TEXT,
    created_at ${big} NOT NULL,
    last_used_at ${big},
    revoked_at ${big})`,
  `CREATE INDEX tokens_account ON tokens (account_id)`,
  `CREATE TABLE invites (
    id ${bytes} PRIMARY KEY,
    inviter_id ${big} NOT NULL REFERENCES accounts(id),
    offer ${bytes} NOT NULL,
    reply ${bytes},
    expires_at ${big} NOT NULL,
    redeemed_by ${big} REFERENCES accounts(id),
    redeemed_at ${big},
    accepted_at ${big},
    revoked_at ${big})`,
  `CREATE INDEX invites_inviter ON invites (inviter_id)`,
  `CREATE INDEX invites_exp ON invites (expires_at)`,
  `CREATE TABLE contacts (
    a_id ${big} NOT NULL REFERENCES accounts(id),
    b_id ${big} NOT NULL REFERENCES accounts(id),
    state TEXT NOT NULL CHECK (state IN ('pending','active','revoked')),
    invite_id ${bytes},
    created_at ${big} NOT NULL,
    accepted_at ${big},
    revoked_at ${big},
    revoked_by ${big},
    PRIMARY KEY (a_id, b_id),
    CHECK (a_id < b_id))`,
  `CREATE INDEX contacts_b ON contacts (b_id)`,
  `CREATE TABLE spool (
    recipient_id ${big} NOT NULL REFERENCES accounts(id),
    seq ${big} NOT NULL,
    sender_id ${big} NOT NULL REFERENCES accounts(id),
    msg_id ${bytes} NOT NULL,
    rk TEXT NOT NULL,
    ct ${bytes} NOT NULL,
    created_at ${big} NOT NULL,
    expires_at ${big} NOT NULL,
    PRIMARY KEY (recipient_id, seq),
    UNIQUE (sender_id, msg_id))`,
  `CREATE INDEX spool_exp ON spool (expires_at)`,
  `CREATE TABLE sent_status (
    sender_id ${big} NOT NULL,
    msg_id ${bytes} NOT NULL,
    recipient_id ${big} NOT NULL,
    seq ${big},
    state TEXT NOT NULL CHECK (state IN ('stored','delivered','expired','refused')),
    reason TEXT,
    updated_at ${big} NOT NULL,
    PRIMARY KEY (sender_id, msg_id))`,
  `CREATE INDEX sent_status_recipient ON sent_status (recipient_id, seq)`,
  `CREATE INDEX sent_status_updated ON sent_status (updated_at)`,
  `CREATE TABLE blobs (
    blob_id ${bytes} PRIMARY KEY,
    uploader_id ${big} NOT NULL,
    size ${big} NOT NULL,
    created_at ${big} NOT NULL,
    expires_at ${big} NOT NULL)`,
  `CREATE INDEX blobs_exp ON blobs (expires_at)`,
  `CREATE TABLE blob_chunks (
    blob_id ${bytes} NOT NULL REFERENCES blobs(blob_id) ON DELETE CASCADE,
    idx INT NOT NULL,
    data ${bytes} NOT NULL,
    PRIMARY KEY (blob_id, idx))`,
  `CREATE TABLE blob_grants (
    blob_id ${bytes} NOT NULL REFERENCES blobs(blob_id) ON DELETE CASCADE,
    recipient_id ${big} NOT NULL,
    fetched_at ${big},
    fetched_seq ${big},
    PRIMARY KEY (blob_id, recipient_id))`,
  `CREATE INDEX blob_grants_recipient ON blob_grants (recipient_id)`,
  `CREATE TABLE presence (
    owner_id ${big} NOT NULL,
    viewer_id ${big} NOT NULL,
    blob ${bytes} NOT NULL,
    updated_at ${big} NOT NULL,
    PRIMARY KEY (owner_id, viewer_id))`,
  `CREATE INDEX presence_viewer ON presence (viewer_id)`,
  `CREATE TABLE audit (
    id ${id},
    at ${big} NOT NULL,
    actor ${big},
    event TEXT NOT NULL,
    detail TEXT NOT NULL)`,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`
]

/**
 * Identity-key rotations (CLOUD.md 2.11): each continuity statement an account published, kept for its contacts to
 * follow from the key they pinned to the account's current one. One statement per (account, old key).
 */
const identityRotationsV2 = ({ big, bytes, id }: Types): ReadonlyArray<string> => [
  `CREATE TABLE identity_rotations (
    id ${id},
    account_id ${big} NOT NULL REFERENCES accounts(id),
    old_ik ${bytes} NOT NULL,
    new_ik ${bytes} NOT NULL,
    ts ${big} NOT NULL,
    sig_old ${bytes} NOT NULL,
    sig_new ${bytes} NOT NULL,
    created_at ${big} NOT NULL,
    UNIQUE (account_id, old_ik))`
]

/**
 * The index the ack, the revoke and the sweeper reach a recipient's undelivered `sent_status` rows by: only rows
 * still `stored`. The full `(recipient_id, seq)` index it replaces made every ack scan all the rows ever delivered to
 * the recipient (sent_status keeps them for `sentStatusKeepMs`), so an ack cost grew with the traffic of the week.
 */
const sentStatusStoredV3 = (): ReadonlyArray<string> => [
  `CREATE INDEX sent_status_stored ON sent_status (recipient_id, seq) WHERE state = 'stored'`,
  `DROP INDEX sent_status_recipient`
]

const statements = (make: (types: Types) => ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const types = sql.onDialectOrElse({ pg: () => pgTypes, orElse: () => sqliteTypes })
    for (const statement of make(types)) yield* sql.unsafe(statement)
  })

/** The one migration set both engines run. Append new entries; never edit a released one. */
export const migrations = Migrator.fromRecord({
  "1_relay_schema": statements(schemaV1),
  "2_identity_rotations": statements(identityRotationsV2),
  "3_sent_status_stored": statements(sentStatusStoredV3)
})

/** The migrations table of the relay (apart from any other user of the same database). */
export const migrationsTable = "relay_migrations"

/** An arbitrary constant naming the migrator's PostgreSQL advisory lock (the sweeper's is another). */
const MIGRATE_LOCK = 0x5b3161

const migrator = Migrator.make({})({ loader: migrations, table: migrationsTable })

/**
 * PostgreSQL, where every replica migrates at boot: one transaction holds an advisory lock while it creates the
 * migrations table if missing and runs the Migrator (its own transaction becomes a savepoint of this one). A replica
 * that starts at the same time waits on the lock, then finds every migration applied; DDL is transactional, so a
 * replica killed mid-migration leaves nothing half-applied.
 */
const migratePg = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK})`
      yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS ${migrationsTable} (
        migration_id integer primary key,
        created_at timestamp with time zone not null default now(),
        name text not null)`)
      return yield* migrator
    })
  )
})

/**
 * Runs the migrations and answers the ones this call applied (empty when the schema was current). On PostgreSQL
 * under the advisory lock above. SQLite is one relay process by design; two processes opening one file at once
 * (a relay and an operator command) can still race on creating the migrations table or on upgrading a read to a
 * write, and a failed run is retried, then finds the table and the database's write lock.
 */
export const runMigrations = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () => migratePg,
    orElse: () => migrator.pipe(Effect.retry({ times: 5, schedule: Schedule.spaced("100 millis") }))
  })
)
