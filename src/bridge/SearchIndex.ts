import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { StoreError } from "../domain/Errors.js"
import { plainEnvelope } from "../domain/PlainEnvelope.js"
import { MessageEnvelope } from "../domain/Records.js"
import { readJsonsIn } from "../services/store/Documents.js"
import { Store } from "../services/store/Store.js"
import { mtimeTrustMs, stillCurrent } from "./MtimeTrust.js"
import {
  decodeIndex,
  encodeIndex,
  type IndexedMessage,
  allEntries,
  indexedMessage,
  indexPath,
  type LoadedSnapshot,
  MAX_INDEX_BYTES,
  messageIdOf
} from "./SearchIndexFile.js"
import { nextTurn as letEventsIn } from "./EventLoop.js"
import { indexChecksum } from "./Crc32.js"
import { filtersOf } from "./SearchBlocks.js"
import { byIdOf, changed, type DirEntries, type DirState, emptyState, sortedOf, viewOf } from "./SearchIndexState.js"
import { decodeHits, type IndexHit, messagePath } from "./SearchHits.js"

export type { DirEntries } from "./SearchIndexState.js"
export type { IndexHit } from "./SearchHits.js"

/**
 * What search looks at in an envelope directory (an inbox, a channel's history), kept current without reading
 * every message file: a fresh process reads the directory's index file (cache/search/, ADR-0039) when the
 * directory has not changed since it was written, else lists the directory and decodes only the files it does not
 * know; while it runs, the store's watch reports each added, replaced or removed file, and a change of the
 * directory's mtime that no report explains makes it list the directory again. The message files stay the truth:
 * a hit is decoded from its file before it is returned (see `envelope`).
 */
export interface SearchIndexShape {
  /** The directory's messages, oldest first, and their texts joined; the same objects while nothing changed. */
  readonly entries: (dir: string) => Effect.Effect<DirEntries, StoreError>
  /**
   * The envelopes the hits stand for, in order, decoded from their files (once per entry); none for a file that is
   * gone, no longer decodes, or no longer says what its entry holds (the entry is then updated from the file).
   */
  readonly envelopes: (
    hits: ReadonlyArray<IndexHit>
  ) => Effect.Effect<ReadonlyArray<Option.Option<MessageEnvelope>>, StoreError>
  /** Writes every directory's index that changed since it was last written (also done in the background). */
  readonly flush: Effect.Effect<void>
}

export class SearchIndex extends Context.Tag("session-bridge/SearchIndex")<SearchIndex, SearchIndexShape>() {}

/** How long after a change the background writer waits, so a burst of messages is written once. */
const SAVE_DELAY = Duration.seconds(2)
/**
 * How quiet a directory must have been for its index to claim a listing made when it is written: longer than the
 * 200 ms poll that stands in for a watch where the file system has none (StoreWatcher), with room to spare.
 */
const SETTLE_MS = 1000
/** How many of the newest messages a process decodes ahead as it loads index files (all directories). */
const PREFETCH = 128

export const make = Effect.gen(function* () {
  const store = yield* Store
  const checksum = yield* indexChecksum
  const dirs = new Map<string, DirState>()
  const decoded = new WeakMap<IndexedMessage, MessageEnvelope>()
  /** Watches live as long as the process: the index is kept for every directory searched. */
  const watches = yield* Scope.make()

  const dirMtime = (dir: string) =>
    Effect.map(store.stat(dir), Option.match({ onNone: () => 0, onSome: (s) => s.mtimeMs }))

  /** Reads the named files and puts what they hold in place of what the index had (removed when gone). */
  const refresh = (dir: string, state: DirState, ids: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      if (ids.length === 0) return
      const found = yield* readJsonsIn(
        store,
        ids.map((id) => messagePath(dir, id)),
        MessageEnvelope,
        plainEnvelope
      )
      const entries = byIdOf(state)
      ids.forEach((id, i) => {
        const e = found[i]!
        const had = entries.get(id)
        if (Option.isSome(e) && e.value.id === id) {
          const entry = indexedMessage(e.value)
          entries.set(id, entry)
          decoded.set(entry, e.value)
        } else if (had === undefined) return
        else entries.delete(id)
        changed(state)
      })
    })

  /** Lists the directory and brings the entries in line: new files read, missing ones dropped. */
  const reconcile = (dir: string, state: DirState) =>
    Effect.gen(function* () {
      const mtimeMs = yield* dirMtime(dir)
      const listedAt = yield* Clock.currentTimeMillis
      state.pending.clear()
      const present = new Set<string>()
      for (const name of yield* store.list(dir)) {
        const id = messageIdOf(name)
        if (id !== undefined) present.add(id)
      }
      const entries = byIdOf(state)
      for (const id of entries.keys()) {
        if (present.has(id)) continue
        entries.delete(id)
        changed(state)
      }
      yield* refresh(
        dir,
        state,
        [...present].filter((id) => !entries.has(id))
      )
      state.seenMtimeMs = mtimeMs
      if (state.listedMtimeMs !== mtimeMs || state.listedAt < listedAt) state.dirty = true
      state.listedMtimeMs = mtimeMs
      state.listedAt = listedAt
    })

  /**
   * Writes the directory's index. The watch has been live since before the directory was first listed, so once
   * every report has been applied the entries are the directory as it is now: when its mtime is old enough to be
   * trusted, the file may claim a listing made now. Otherwise it keeps the last full listing's, and the write is
   * tried again once the directory has been quiet for SETTLE_MS.
   */
  const save = (dir: string, state: DirState): Effect.Effect<void> =>
    Effect.gen(function* () {
      state.dirty = false
      yield* letEventsIn
      yield* applyPending(dir, state)
      const mtimeMs = yield* dirMtime(dir)
      // Nothing is written for a directory that is gone (a purged home is not made again) or has no mtime to
      // check against (the memory store).
      if (mtimeMs === 0) return
      const now = yield* Clock.currentTimeMillis
      const settled = mtimeMs > 0 && now - mtimeMs > Math.max(SETTLE_MS, mtimeTrustMs(mtimeMs))
      if (settled) {
        state.listedMtimeMs = state.seenMtimeMs = mtimeMs
        state.listedAt = now
      }
      // With the filters of what search reads now (made from the last ones where its blocks did not change).
      const snapshot = { dir, dirMtimeMs: state.listedMtimeMs, listedAt: state.listedAt, entries: sortedOf(state) }
      const bytes = encodeIndex(snapshot, filtersOf(viewOf(state).joined), checksum)
      if (bytes.length > MAX_INDEX_BYTES) return
      yield* store.write(indexPath(dir), bytes)
      if (!settled) {
        state.dirty = true
        yield* scheduleSave(dir, state, Duration.millis(SETTLE_MS))
      }
    }).pipe(Effect.catchAll((e) => Effect.logDebug(`search index of ${dir} not written: ${e.message}`)))

  const scheduleSave = (dir: string, state: DirState, delay: Duration.Duration): Effect.Effect<void> =>
    state.dirty && !state.saving
      ? Effect.forkDaemon(
          Effect.gen(function* () {
            state.saving = true
            yield* Effect.sleep(delay)
            state.saving = false
            if (state.dirty) yield* save(dir, state)
          }).pipe(Effect.ensuring(Effect.sync(() => (state.saving = false))))
        ).pipe(Effect.asVoid)
      : Effect.void

  /** The index file's snapshot when it is well formed; else none. */
  const loadFile = (dir: string): Effect.Effect<Option.Option<LoadedSnapshot>> =>
    store.read(indexPath(dir), MAX_INDEX_BYTES).pipe(
      Effect.map(Option.flatMap((bytes) => Option.fromNullable(decodeIndex(bytes, dir, checksum)))),
      // A link, FIFO, directory or oversized file where the index belongs: ignored, and replaced by the next write.
      Effect.catchAll(() => Effect.succeed(Option.none<LoadedSnapshot>()))
    )

  let prefetchLeft = PREFETCH
  /** Decodes the newest entries of an index just loaded, likely the first searches' hits (ADR-0069; errors ignored). */
  const prefetch = (dir: string, entries: DirEntries) => {
    const newest = Array.from({ length: Math.min(prefetchLeft, entries.size) }, (_, k) =>
      entries.entry(entries.size - 1 - k)
    )
    prefetchLeft -= newest.length
    return Effect.ignore(envelopes(newest.map((entry) => ({ dir, entry }))))
  }

  const open = (dir: string) =>
    Effect.gen(function* () {
      const state = emptyState()
      // The watch is live before anything is read, so nothing that lands afterwards goes unseen.
      yield* Scope.extend(
        store.subscribe(dir, (change) => {
          state.pending.add(change.name)
          state.heard = true
        }),
        watches
      )
      const mtimeMs = yield* dirMtime(dir)
      const file = yield* loadFile(dir)
      const listed = Option.map(file, (f) => ({ mtimeMs: f.dirMtimeMs, listedAt: f.listedAt }))
      if (Option.isSome(file) && stillCurrent(Option.getOrUndefined(listed), mtimeMs)) {
        // Searched as read: the entries by id are made only if a change comes.
        state.byId = undefined
        state.loaded = file.value.entries
        state.seenMtimeMs = state.listedMtimeMs = mtimeMs
        state.listedAt = file.value.listedAt
      } else {
        // A stale index still names the files it had read: a listing then shows which are gone and which are new.
        const known = byIdOf(state)
        for (const e of Option.match(file, { onNone: () => [], onSome: (f) => allEntries(f.entries) }))
          known.set(e.id, e)
        yield* reconcile(dir, state)
        yield* scheduleSave(dir, state, Duration.zero)
      }
      dirs.set(dir, state)
      if (state.loaded !== undefined) yield* prefetch(dir, state.loaded)
      return state
    })

  const applyPending = (dir: string, state: DirState) =>
    Effect.suspend(() => {
      const ids = [...state.pending].flatMap((n) => Option.toArray(Option.fromNullable(messageIdOf(n))))
      state.pending.clear()
      return refresh(dir, state, ids)
    })

  /**
   * A directory's entries. The common case, an index already open that no watch event or change of the directory's
   * mtime has touched since (and no save due), costs its one stat; anything else takes the whole path below.
   */
  const entries = (dir: string): Effect.Effect<DirEntries, StoreError> => {
    const known = dirs.get(dir)
    if (known === undefined || known.pending.size > 0) return update(dir)
    return Effect.flatMap(dirMtime(dir), (mtimeMs) => {
      if (mtimeMs === 0 || mtimeMs !== known.seenMtimeMs || (known.dirty && !known.saving)) return update(dir)
      known.heard = false
      return Effect.succeed(viewOf(known))
    })
  }

  const update = (dir: string) =>
    Effect.gen(function* () {
      const state = dirs.get(dir) ?? (yield* open(dir))
      yield* applyPending(dir, state)
      const mtimeMs = yield* dirMtime(dir)
      if (mtimeMs === 0 || mtimeMs !== state.seenMtimeMs) {
        if (!state.heard && mtimeMs !== 0) {
          yield* letEventsIn
          yield* applyPending(dir, state)
        }
        if (state.heard && mtimeMs !== 0) state.seenMtimeMs = mtimeMs
        else yield* reconcile(dir, state)
      }
      state.heard = false
      yield* scheduleSave(dir, state, SAVE_DELAY)
      return viewOf(state)
    })

  const envelopes = (hits: ReadonlyArray<IndexHit>) =>
    Effect.suspend(() => {
      const out = hits.map((h) => Option.fromNullable(decoded.get(h.entry)))
      const missing = hits.flatMap((h, i) => (Option.isNone(out[i]!) ? [i] : []))
      return missing.length === 0 ? Effect.succeed(out) : decodeMissing(hits, out, missing)
    })

  /** The hits not decoded yet, in one store call; a file that changed or went away is followed by the index. */
  const decodeMissing = (
    hits: ReadonlyArray<IndexHit>,
    out: Array<Option.Option<MessageEnvelope>>,
    missing: ReadonlyArray<number>
  ) =>
    Effect.flatMap(decodeHits(store, hits, missing, out, decoded), (changed) =>
      Effect.as(
        Effect.forEach(
          changed,
          ([dir, ids]) => {
            const state = dirs.get(dir)
            return state === undefined ? Effect.void : refresh(dir, state, ids)
          },
          { discard: true }
        ),
        out
      )
    )

  const flush = Effect.suspend(() =>
    Effect.forEach([...dirs], ([dir, state]) => (state.dirty ? save(dir, state) : Effect.void), { discard: true })
  )

  return SearchIndex.of({ entries, envelopes, flush })
})

export const layer: Layer.Layer<SearchIndex, never, Store> = Layer.effect(SearchIndex, make)
