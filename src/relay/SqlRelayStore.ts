import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { RelayStoreIo } from "./RelayErrors.js"
import type { ReplicaMemory } from "./ReplicaMemory.js"
import * as GroupCommit from "./GroupCommit.js"
import { type Enqueued, type EnqueueInput, RelayLimits, RelayStore } from "./RelayStore.js"
import { SendsArriving } from "./SendsArriving.js"
import { makeTokenCache } from "./TokenCache.js"
import { makeAckBatch } from "./sql/AckBatch.js"
import { makeEnqueueBatch } from "./sql/EnqueueBatch.js"
import { makeAccounts } from "./sql/AccountsSql.js"
import { makeContacts } from "./sql/ContactsSql.js"
import { makeBlobs } from "./sql/BlobsSql.js"
import { makeInvites } from "./sql/InvitesSql.js"
import { runMigrations } from "./sql/Migrations.js"
import { claimSetting, ensureRelayId } from "./sql/RelayMeta.js"
import { makeRotations } from "./sql/RotationSql.js"
import * as SpoolReads from "./sql/SpoolReads.js"
import { makeSpool } from "./sql/SpoolSql.js"
import { makeSpoolTails, noTails, RECIPIENTS_KEPT, type SpoolTails, TAIL_TRUST_MS } from "./sql/SpoolTails.js"
import { makeSweep } from "./sql/SweeperSql.js"

/** Settings of a store; the defaults are the product's limits (tests lower the spool cap to reach it quickly). */
export interface StoreOptions {
  readonly pendingMessagesPerRecipient?: number | undefined
  /** Group-commit writers (batches in flight at once): 1 on SQLite, more on PostgreSQL. */
  readonly writers?: number | undefined
  /** How long a looked-up token may be answered from memory (TokenCache.ts); 0: never. */
  readonly tokenCacheMs?: number | undefined
  /** The store is the only writer of its spool (SQLite, one relay process): polls may skip reads (SpoolTails.ts). */
  readonly onlyWriter?: boolean | undefined
  /**
   * A PostgreSQL replica's token cache and spool tails, kept while its LISTEN connection listens (ReplicaMemory.ts);
   * they replace `tokenCacheMs` and `onlyWriter`.
   */
  readonly memory?: ReplicaMemory | undefined
}

/**
 * SQLite caches tokens for 1 s: its own revokes clear the cache at once, a `relay account disable` run beside it
 * (another process) is seen within that second (docs/adr/0034-relay-token-cache.md). A PostgreSQL replica caches
 * only with a `memory` its LISTEN connection keeps: other replicas' revokes arrive as notifications (ADR-0072).
 */
export const sqliteTokenCacheMs = 1_000

/**
 * Bounds of one group-commit batch: 128 messages, 4 MiB of them (a single bigger envelope goes alone). Without a
 * count of arriving sends (the store used alone), a busy writer waits 2 ms for the sends still in flight to join;
 * with one, it waits while sends are arriving, each at most 3 ms after the last, 10 ms in all.
 */
export const batchLimits = {
  maxCount: 128,
  maxBytes: 4 * 1024 * 1024,
  lingerMs: 2,
  arrivalGapMs: 3,
  arrivalWaitMs: 10
} as const

const messageBytes = (m: EnqueueInput) => m.ct.length + m.msgId.length + m.rk.length + 64

/**
 * A batch's stored messages recorded in the spool tails as soon as its transaction committed, in the writer: before
 * any sender is answered, and whether or not the sender is still waiting (a request cancelled mid-send).
 */
const recordingCommits =
  <E>(
    tails: SpoolTails,
    run: GroupCommit.RunBatch<EnqueueInput, Enqueued, E>
  ): GroupCommit.RunBatch<EnqueueInput, Enqueued, E> =>
  (items) =>
    Effect.tap(run(items), (outcomes) =>
      Effect.sync(() =>
        outcomes.forEach((outcome, i) => {
          if (Exit.isSuccess(outcome) && !outcome.value.duplicate)
            tails.committed(items[i]!.recipientId, outcome.value.seq)
        })
      )
    )

/**
 * The store over whichever `SqlClient` is provided: migrates it first, then serves every method from SQL. Sends go
 * through a group commit whose writers live as long as the scope.
 */
export const make = (options: StoreOptions = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const applied = yield* runMigrations.pipe(Effect.mapError((cause) => new RelayStoreIo({ op: "migrate", cause })))
    const relayId = yield* ensureRelayId(sql)
    // Behind the HTTP routes the writer knows how many sends are still on their way and waits for them instead of
    // lingering a fixed time (docs/adr/0033-relay-batches-wait-for-arriving-sends.md).
    const arriving = yield* Effect.serviceOption(SendsArriving)
    const tails =
      options.memory?.tails ?? (options.onlyWriter === true ? makeSpoolTails(TAIL_TRUST_MS, RECIPIENTS_KEPT) : noTails)
    const write = yield* GroupCommit.make(
      recordingCommits(
        tails,
        makeEnqueueBatch(sql, options.pendingMessagesPerRecipient ?? RelayLimits.pendingMessagesPerRecipient)
      ),
      (cause) => new RelayStoreIo({ op: "enqueue", cause }),
      {
        ...batchLimits,
        sizeOf: messageBytes,
        writers: options.writers ?? 1,
        arriving: Option.isSome(arriving) ? arriving.value.count : undefined
      }
    )
    // Acks share commits the same way. Most come from polls, which do not wait for them (SpoolSql.fetch): a busy
    // writer lingers 2 ms so that the acks of the polls answered meanwhile join its batch; an idle one goes at once.
    const writeAck = yield* GroupCommit.make(makeAckBatch(sql), (cause) => new RelayStoreIo({ op: "ack", cause }), {
      maxCount: batchLimits.maxCount,
      maxBytes: Number.MAX_SAFE_INTEGER,
      sizeOf: () => 1,
      writers: 1,
      lingerMs: batchLimits.lingerMs
    })
    const tokens = options.memory?.tokens ?? makeTokenCache(options.tokenCacheMs ?? 0)
    const reads = Option.getOrElse(yield* Effect.serviceOption(SpoolReads.SpoolReads), () => SpoolReads.readsOn(sql))
    return RelayStore.of({
      relayId,
      migrated: applied.map(([id, name]) => `${id}_${name}`),
      claimSetting: claimSetting(sql),
      ...makeAccounts(sql, tokens),
      ...makeInvites(sql),
      ...makeContacts(sql),
      ...makeSpool(sql, write, writeAck, reads, tails),
      ...makeBlobs(sql),
      ...makeRotations(sql, tokens),
      sweep: makeSweep(sql)
    })
  })

const storeIo = (op: string) => (cause: unknown) => new RelayStoreIo({ op, cause })

/** The database file's folder 0700 when this creates it, the file itself 0600 (SQLite gives its -wal/-shm the same). */
const prepareFile = (filename: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(filename)
    if (!(yield* fs.exists(dir))) yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 })
    if (!(yield* fs.exists(filename))) yield* fs.writeFile(filename, new Uint8Array(0), { flag: "a", mode: 0o600 })
    yield* fs.chmod(filename, 0o600)
  }).pipe(Effect.mapError(storeIo("prepare database file")))

/** Per-connection settings: a 201 survives power loss (FULL), writers from other processes wait up to 5 s. */
const sqlitePragmas = Layer.effectDiscard(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe("PRAGMA busy_timeout = 5000")
    yield* sql.unsafe("PRAGMA synchronous = FULL")
    yield* sql.unsafe("PRAGMA foreign_keys = ON")
  }).pipe(Effect.mapError(storeIo("configure sqlite")))
)

/** The SQLite connection the store runs on: file prepared, WAL (the client's default), then the settings above. */
export const sqliteClient = (options: {
  readonly filename: string
}): Layer.Layer<SqlClient.SqlClient, RelayStoreIo, FileSystem.FileSystem | Path.Path> =>
  Layer.provideMerge(sqlitePragmas, SqliteClient.layer({ filename: options.filename })).pipe(
    Layer.provide(Layer.effectDiscard(prepareFile(options.filename))),
    Layer.mapError((error) => (error instanceof RelayStoreIo ? error : new RelayStoreIo({ op: "open", cause: error })))
  )

/**
 * SQLite (the default, one relay process): WAL, `synchronous=FULL`, `busy_timeout=5000`; migrates at build. Polls
 * read on a second, read-only connection, opened once the first has put the file in WAL mode (SpoolReads.ts).
 */
export const layerSqlite = (
  options: StoreOptions & { readonly filename: string }
): Layer.Layer<RelayStore, RelayStoreIo, FileSystem.FileSystem | Path.Path> =>
  Layer.scoped(RelayStore, make({ tokenCacheMs: sqliteTokenCacheMs, onlyWriter: true, ...options })).pipe(
    Layer.provide(
      Layer.provideMerge(
        SpoolReads.layerSqlite(options.filename).pipe(Layer.mapError(storeIo("open reader"))),
        sqliteClient(options)
      )
    )
  )

/**
 * One batch in flight on PostgreSQL too: bigger batches beat overlapping ones (measured with 8 senders on a loaded
 * 2-core machine: 1 writer 240-385 enqueues/s, 2 writers 246/s, 4 writers 162/s). Replicas each run their own.
 */
const pgWriters = 1

/** PostgreSQL (several relay replicas share one database); migrates at build, safely from every replica at once. */
export const layerPg = (
  options: StoreOptions & { readonly url: string; readonly maxConnections?: number | undefined }
): Layer.Layer<RelayStore, RelayStoreIo> =>
  Layer.scoped(RelayStore, make({ writers: pgWriters, ...options })).pipe(
    Layer.provide(
      PgClient.layer({
        url: Redacted.make(options.url),
        applicationName: "session-bridge-relay",
        maxConnections: options.maxConnections ?? 10
      })
    ),
    Layer.mapError((error) =>
      error instanceof RelayStoreIo ? error : new RelayStoreIo({ op: "connect", cause: error })
    )
  )
