import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { StoreError } from "../domain/Errors.js"
import { CLOUD_OUTBOX_DIR, Layout } from "../domain/Layout.js"
import { parseStamp } from "../domain/HookStamp.js"
import { MessageEnvelope, SessionRecord } from "../domain/Records.js"
import { formatIso } from "../domain/UtcTime.js"
import { decodeLockFile, STALE_MS } from "../services/FileLock.js"
import type { HostEnvShape } from "../services/HostEnv.js"
import type { StoreShape } from "../services/store/Store.js"
import { ChannelMembers } from "./Channels.js"
import { MessageRef } from "./Envelopes.js"
import { Pointer } from "./Pointers.js"
import { indexPath } from "./SearchIndexFile.js"

/** What gc removes, and why. `tree` entries are directories removed with everything below them. */
export interface Removal {
  readonly kind: "broadcast" | "session" | "membership" | "temp" | "lock" | "artifact" | "ref"
  readonly path: string
  readonly bytes: number
  readonly reason: string
  readonly tree?: boolean
  /** For a membership: the session taken out of the channel whose members file is `path`. */
  readonly member?: { readonly sessionId: string; readonly channel: string }
}

export interface GcOptions {
  /** Sessions not seen for longer than this are removed with their inbox, state, search index and hook stamps. */
  readonly offlineMs: number
  /** Unreferenced artifacts younger than this are kept (a posted artifact is referenced by the send that follows). */
  readonly artifactGraceMs: number
  /** Temp files left by interrupted writers older than this are removed. */
  readonly tempMs: number
}

export const DEFAULT_GC: GcOptions = { offlineMs: 7 * 86_400_000, artifactGraceMs: 86_400_000, tempMs: 3_600_000 }

/** Reports scanning progress: (done, total). */
export type Progress = (done: number, total: number) => Effect.Effect<void>

/** One stored file (a store path) and its size. */
export interface StoredFile {
  readonly path: string
  readonly size: number
}

const decodeJson = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownOption(Schema.parseJson(schema))
const decodeEnvelope = decodeJson(MessageEnvelope)
/** The part of a queued message to a contact that gc reads: the artifacts the daemon will upload. */
const decodeQueued = decodeJson(
  Schema.Struct({ artifacts: Schema.optional(Schema.Array(Schema.Struct({ sha256: Schema.String }))) })
)
const decodeSession = decodeJson(SessionRecord)
const decodePointer = decodeJson(Pointer)
const decodeMembers = decodeJson(ChannelMembers)
const decodeRef = decodeJson(MessageRef)

/** A code-cache temp of an older version (`cache/hook-….v8.<pid>.tmp`, 0 bytes after a full disk). */
const CACHE_TEMP = /^hook-.*\.v8\.\d+\.tmp$/

/** Every file below `dir` (store paths) with its size. */
export const walkStore = (store: StoreShape, dir: string): Effect.Effect<ReadonlyArray<StoredFile>, StoreError> =>
  Effect.gen(function* () {
    const out: Array<StoredFile> = []
    const visit = (d: string): Effect.Effect<void, StoreError> =>
      Effect.gen(function* () {
        for (const name of yield* store.list(d)) {
          const path = d === "" ? name : `${d}/${name}`
          const st = yield* store.stat(path)
          if (Option.isNone(st)) continue
          if (st.value.isDirectory) yield* visit(path)
          else out.push({ path, size: st.value.size })
        }
      })
    yield* visit(dir)
    return out
  })

/**
 * The session records offline for longer than `offlineMs` at `now`, with how long: what gc removes, and what
 * `doctor` counts. Read without the record's quarantine (a record that does not decode is skipped).
 */
export const longOfflineSessions = (
  store: StoreShape,
  now: number,
  offlineMs: number
): Effect.Effect<
  ReadonlyArray<{ readonly path: string; readonly record: SessionRecord; readonly idle: number }>,
  StoreError
> =>
  Effect.gen(function* () {
    const out: Array<{ readonly path: string; readonly record: SessionRecord; readonly idle: number }> = []
    for (const name of yield* store.list(Layout.sessionsDir)) {
      if (!name.endsWith(".json")) continue
      const path = `${Layout.sessionsDir}/${name}`
      const record = Option.flatMap(yield* store.readText(path), decodeSession)
      if (Option.isNone(record)) continue
      const idle = now - DateTime.toEpochMillis(record.value.lastSeen)
      if (idle > offlineMs) out.push({ path, record: record.value, idle })
    }
    return out
  })

/** Works out what gc would remove; nothing is changed. */
export const planGc = (
  store: StoreShape,
  host: HostEnvShape,
  options: GcOptions,
  progress: Progress
): Effect.Effect<ReadonlyArray<Removal>, StoreError> =>
  Effect.gen(function* () {
    const now = DateTime.toEpochMillis(yield* DateTime.now)
    const readText = (path: string) => store.readText(path)
    const jsonNames = (dir: string) => Effect.map(store.list(dir), (names) => names.filter((n) => n.endsWith(".json")))
    const exists = (path: string) => Effect.map(store.stat(path), Option.isSome)
    const sizeOf = (path: string) =>
      Effect.map(store.stat(path), Option.match({ onNone: () => 0, onSome: (st) => st.size }))
    const treeSize = (dir: string) =>
      Effect.map(walkStore(store, dir), (files) => files.reduce((n, f) => n + f.size, 0))

    const removals: Array<Removal> = []
    const gone = (path: string) =>
      removals.some((r) => r.path === path || (r.tree === true && path.startsWith(r.path + "/")))
    const add = (kind: Removal["kind"], path: string, reason: string, tree = false) =>
      Effect.gen(function* () {
        if (gone(path)) return
        const bytes = tree ? yield* treeSize(path) : yield* sizeOf(path)
        removals.push({ kind, path, bytes, reason, ...(tree ? { tree } : {}) })
      })

    // Expired broadcasts, with their read/surfaced markers.
    const sessionDirs = yield* store.list(Layout.statesDir)
    for (const name of yield* jsonNames(Layout.broadcastsDir)) {
      const path = `${Layout.broadcastsDir}/${name}`
      const envelope = Option.flatMap(yield* readText(path), decodeEnvelope)
      if (Option.isNone(envelope) || envelope.value.expiresAt === undefined) continue
      if (DateTime.toEpochMillis(envelope.value.expiresAt) > now) continue
      yield* add("broadcast", path, `expired ${formatIso(envelope.value.expiresAt)}`)
      for (const sid of sessionDirs) {
        for (const marker of [
          Layout.readMarker(sid, envelope.value.id),
          Layout.surfacedMarker(sid, envelope.value.id)
        ]) {
          if (yield* exists(marker)) yield* add("broadcast", marker, "marker of an expired broadcast")
        }
      }
    }

    // Sessions offline longer than the threshold: record, inbox, state and the pointers naming them.
    const removedSessions = new Set<string>()
    for (const { path, record, idle } of yield* longOfflineSessions(store, now, options.offlineMs)) {
      const id = record.sessionId
      removedSessions.add(id)
      const why = `session ${record.label} offline for ${Math.floor(idle / 86_400_000)} days`
      yield* add("session", path, why)
      if (yield* exists(Layout.inboxDir(id))) yield* add("session", Layout.inboxDir(id), why, true)
      if (yield* exists(Layout.stateDir(id))) yield* add("session", Layout.stateDir(id), why, true)
      if (yield* exists(Layout.remoteSentDir(id))) yield* add("session", Layout.remoteSentDir(id), why, true)
      const index = indexPath(Layout.inboxDir(id))
      if (yield* exists(index)) yield* add("session", index, why)
    }
    if (removedSessions.size > 0) {
      for (const name of yield* jsonNames(Layout.pointersDir)) {
        const path = `${Layout.pointersDir}/${name}`
        const pointer = Option.flatMap(yield* readText(path), decodePointer)
        if (Option.isSome(pointer) && removedSessions.has(pointer.value.sessionId))
          yield* add("session", path, "pointer to a removed session")
      }
      for (const channel of yield* store.list(Layout.channelsDir)) {
        const path = Layout.channelMembers(channel)
        const members = Option.flatMap(yield* readText(path), decodeMembers)
        if (Option.isNone(members)) continue
        for (const m of members.value.members) {
          if (!removedSessions.has(m.sessionId)) continue
          removals.push({
            kind: "membership",
            path,
            bytes: 0,
            reason: `removed session ${m.sessionId} leaves #${channel}`,
            member: { sessionId: m.sessionId, channel }
          })
        }
      }
    }

    // Temp files left by interrupted writers, and stale locks.
    for (const path of yield* store.staleTempFiles(options.tempMs))
      yield* add("temp", path, "left by an interrupted write")
    for (const name of yield* store.list(Layout.cacheDir)) {
      if (!CACHE_TEMP.test(name)) continue
      const path = `${Layout.cacheDir}/${name}`
      const st = yield* store.stat(path)
      if (Option.exists(st, (s) => now - s.mtimeMs > options.tempMs))
        yield* add("temp", path, "code-cache temp left by a failed write")
    }
    // The hook's fast-path stamps (ADR-0036): a removed session's, and any not rewritten for as long as a session
    // may stay offline (each host session id has a stamp of its own, left behind when the host session is over).
    const stampsDir = `${Layout.cacheDir}/hook-stamps`
    for (const name of yield* store.list(stampsDir)) {
      const path = `${stampsDir}/${name}`
      const st = yield* store.stat(path)
      if (Option.isNone(st) || st.value.isDirectory) continue
      const stamp = Option.flatMap(yield* readText(path), (text) => Option.fromNullable(parseStamp(text)))
      if (Option.exists(stamp, (s) => removedSessions.has(s.sessionId)))
        yield* add("session", path, "hook stamp of a removed session")
      else if (now - st.value.mtimeMs > options.offlineMs)
        yield* add("temp", path, `hook stamp unused for ${Math.floor((now - st.value.mtimeMs) / 86_400_000)} days`)
    }
    // Locks, claims of a recovery (`.stale-…`) and locks it moved aside (`.taken`) are judged alike.
    for (const name of yield* store.list(Layout.locksDir)) {
      const path = `${Layout.locksDir}/${name}`
      const holder = Option.flatMap(yield* readText(path), decodeLockFile)
      const st = yield* store.stat(path)
      const stale = Option.match(holder, {
        onNone: () => Option.exists(st, (s) => now - s.mtimeMs > STALE_MS),
        onSome: (h) => !host.isPidAlive(h.pid) || now - h.at > STALE_MS
      })
      if (!stale) continue
      const what = name.includes(".stale-") ? "left by a lock recovery: " : ""
      yield* add(
        "lock",
        path,
        what +
          (Option.isSome(holder) && !host.isPidAlive(holder.value.pid)
            ? `holder pid ${holder.value.pid} is gone`
            : "older than 30 s")
      )
    }

    // Artifacts no remaining message references (past a grace period).
    const envelopePaths: Array<string> = []
    for (const sid of yield* store.list(Layout.inboxesDir)) {
      for (const n of yield* jsonNames(Layout.inboxDir(sid))) envelopePaths.push(`${Layout.inboxDir(sid)}/${n}`)
    }
    // A message to a contact keeps its artifacts: the daemon uploads them from here, maybe much later.
    for (const sid of yield* store.list(Layout.remoteSentsDir)) {
      for (const n of yield* jsonNames(Layout.remoteSentDir(sid)))
        envelopePaths.push(`${Layout.remoteSentDir(sid)}/${n}`)
    }
    for (const n of yield* jsonNames(Layout.broadcastsDir)) envelopePaths.push(`${Layout.broadcastsDir}/${n}`)
    for (const c of yield* store.list(Layout.channelsDir)) {
      for (const n of yield* jsonNames(Layout.channelHistoryDir(c)))
        envelopePaths.push(`${Layout.channelHistoryDir(c)}/${n}`)
    }
    const live = envelopePaths.filter((p) => !gone(p))
    const referenced = new Set<string>()
    // `contact send --artifact` leaves no sender's copy: the queued entry alone holds its artifacts until carried.
    for (const n of yield* jsonNames(CLOUD_OUTBOX_DIR)) {
      const text = yield* Effect.orElseSucceed(readText(`${CLOUD_OUTBOX_DIR}/${n}`), () => Option.none<string>())
      const queued = Option.flatMap(text, decodeQueued)
      if (Option.isSome(queued)) for (const a of queued.value.artifacts ?? []) referenced.add(a.sha256)
    }
    for (const [i, path] of live.entries()) {
      const envelope = Option.flatMap(yield* readText(path), decodeEnvelope)
      if (Option.isSome(envelope)) for (const sha of envelope.value.artifacts) referenced.add(sha)
      if ((i + 1) % 250 === 0 || i + 1 === live.length) yield* progress(i + 1, live.length)
    }
    for (const name of yield* store.list(Layout.artifactsDir)) {
      if (!name.endsWith(".bin")) continue
      const sha = name.slice(0, -4)
      if (referenced.has(sha)) continue
      const st = yield* store.stat(Layout.artifactBytes(sha))
      if (Option.exists(st, (s) => now - s.mtimeMs <= options.artifactGraceMs)) continue
      yield* add("artifact", Layout.artifactBytes(sha), "no message references it")
      if (yield* exists(Layout.artifactMeta(sha)))
        yield* add("artifact", Layout.artifactMeta(sha), "no message references it")
    }

    // Message refs and thread markers whose message is gone.
    for (const name of yield* jsonNames(Layout.messageRefsDir)) {
      const path = `${Layout.messageRefsDir}/${name}`
      const ref = Option.flatMap(yield* readText(path), decodeRef)
      if (Option.isNone(ref)) continue
      const target = ref.value.path
      if (!gone(target) && (yield* exists(target))) continue
      yield* add("ref", path, "its message is gone")
      const marker = Layout.threadMarker(ref.value.threadId, name.slice(0, -5))
      if (yield* exists(marker)) yield* add("ref", marker, "its message is gone")
    }
    return removals
  })
