import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { BridgeFailure } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { SessionId } from "../domain/Ulid.js"
import { removeIfStale } from "../services/FileLock.js"
import { HostEnv } from "../services/HostEnv.js"
import { type ModeRepair, Store, TEMP_PREFIX } from "../services/store/Store.js"
import { Channels } from "./Channels.js"
import { type GcOptions, planGc, type Progress, type Removal, type StoredFile, walkStore } from "./GcPlan.js"
import { inspectTarget, type Located } from "./StoreInspection.js"

export {
  DEFAULT_GC,
  type GcOptions,
  longOfflineSessions,
  type Progress,
  type Removal,
  type StoredFile
} from "./GcPlan.js"
export type { Located } from "./StoreInspection.js"

/** What a set of stored files holds, by area (what purge names before it deletes). */
export interface StoreInventory {
  readonly sessions: number
  readonly inboxMessages: number
  readonly broadcasts: number
  readonly channels: number
  readonly artifacts: number
  readonly files: number
  readonly bytes: number
}

const isTempName = (path: string) => (path.split("/").pop() ?? "").startsWith(TEMP_PREFIX)

/** Counts what `files` (store paths, e.g. a walk of the home) hold, by the layout. */
export const inventoryOf = (files: ReadonlyArray<StoredFile>): StoreInventory => {
  // A temp file (a write in progress, or one made ahead by a running server, ADR-0074) is no record of any kind.
  const count = (pred: (p: Array<string>) => boolean) =>
    files.filter((f) => !isTempName(f.path) && pred(f.path.split("/"))).length
  return {
    sessions: count((p) => p[0] === Layout.sessionsDir && p.length === 2),
    inboxMessages: count((p) => p[0] === Layout.inboxesDir && p.length === 3),
    broadcasts: count((p) => p[0] === Layout.broadcastsDir && p.length === 2),
    channels: new Set(
      files
        .map((f) => f.path.split("/"))
        .filter((p) => p[0] === Layout.channelsDir && p.length > 2)
        .map((p) => p[1])
    ).size,
    artifacts: count((p) => p[0] === Layout.artifactsDir && p.length === 2 && p[1]!.endsWith(".bin")),
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0)
  }
}

/**
 * The store seen whole, for maintenance: what gc would remove and removing it, what an id, sha256 or path names
 * on disk, every file and what it holds, and the home's modes. Only reads, except applyGc and repairModes.
 */
export interface HousekeepingShape {
  /** Where the store lives (a directory path, or "memory:"). */
  readonly home: string
  /** Works out what gc would remove; nothing is changed. */
  readonly planGc: (options: GcOptions, progress: Progress) => Effect.Effect<ReadonlyArray<Removal>, BridgeFailure>
  /**
   * Removes what `planGc` found: channel memberships through Channels (under its lock), stale locks by taking
   * them over as a waiting process would (a lock taken since the plan was made is left alone, ADR-0011).
   */
  readonly applyGc: (removals: ReadonlyArray<Removal>) => Effect.Effect<void, BridgeFailure>
  /**
   * What `target` names, decoded and never quarantined: a session or message id (or a unique session id
   * prefix), an artifact sha256, or a path (absolute under the home, or relative to it).
   */
  readonly inspect: (target: string) => Effect.Effect<ReadonlyArray<Located>, BridgeFailure>
  /** Every file below `dir` ("" for the whole home) with its size. */
  readonly files: (dir: string) => Effect.Effect<ReadonlyArray<StoredFile>, BridgeFailure>
  /** Sets every directory of the home to 0700 and every file to 0600; what it changed. */
  readonly repairModes: Effect.Effect<ReadonlyArray<ModeRepair>, BridgeFailure>
}

export class Housekeeping extends Context.Tag("session-bridge/Housekeeping")<Housekeeping, HousekeepingShape>() {}

const isSessionId = Schema.is(SessionId)

export const make = Effect.gen(function* () {
  const store = yield* Store
  const host = yield* HostEnv
  const channels = yield* Channels

  const applyGc = (removals: ReadonlyArray<Removal>) =>
    Effect.gen(function* () {
      for (const r of removals) {
        if (r.member !== undefined) {
          const { sessionId, channel } = r.member
          if (isSessionId(sessionId)) yield* channels.leave(sessionId, channel)
        } else if (r.kind === "lock")
          yield* removeIfStale(r.path).pipe(Effect.provideService(Store, store), Effect.provideService(HostEnv, host))
        // A tree that a writer adds to while it is removed is gone over again.
        else if (r.tree === true) yield* store.removeTree(r.path).pipe(Effect.retry({ times: 3 }))
        else yield* store.remove(r.path)
      }
    })

  return Housekeeping.of({
    home: store.root,
    planGc: (options, progress) => planGc(store, host, options, progress),
    applyGc,
    inspect: (target) => inspectTarget(store, target),
    files: (dir) => walkStore(store, dir),
    repairModes: store.repairModes
  })
})

export const layer: Layer.Layer<Housekeeping, never, Store | HostEnv | Channels> = Layer.effect(Housekeeping, make)
