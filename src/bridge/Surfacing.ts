import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StoreError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { Store } from "../services/store/Store.js"
import { Broadcasts } from "./Broadcasts.js"
import { Envelopes } from "./Envelopes.js"

/** What waits to be shown to a session. */
export interface Pending {
  /** The oldest waiting entries (at most the limit asked for), oldest first. */
  readonly entries: Array<MessageEnvelope>
  /** How many entries wait in all, `entries` included. */
  readonly waiting: number
}

/**
 * Read and surfaced markers (empty files created exclusively: the first creator wins) and the entries not yet
 * shown to a session. The prompt hook needs only this of the mailbox.
 */
export interface SurfacingShape {
  /**
   * Unread, not yet surfaced inbox entries and live broadcasts, oldest first. With `limit`, only the oldest
   * `limit` are read from disk (a session back after a long absence may have hundreds waiting); `waiting`
   * still counts them all.
   */
  readonly unsurfaced: (sessionId: SessionId, limit?: number) => Effect.Effect<Pending, StoreError>
  /** Creates surfaced markers exclusively; returns the ids this call marked first (at most once across processes). */
  readonly markSurfaced: (
    sessionId: SessionId,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** Creates read markers exclusively; returns the ids this call marked first. */
  readonly createRead: (
    sessionId: SessionId,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, StoreError>
}

export class Surfacing extends Context.Tag("session-bridge/Surfacing")<Surfacing, SurfacingShape>() {}

export const make = Effect.gen(function* () {
  const store = yield* Store
  const envelopes = yield* Envelopes
  const broadcasts = yield* Broadcasts
  const markers =
    (dirOf: (sessionId: string, id: string) => string) => (sessionId: SessionId, ids: ReadonlyArray<string>) =>
      Effect.forEach([...new Set(ids)], (id) =>
        Effect.map(store.createEmpty(dirOf(sessionId, id)), (won) => (won ? [id] : []))
      ).pipe(Effect.map((r) => r.flat()))

  /**
   * Lists what waits by name (inbox file names are message ids, ULIDs in time order) and reads only the inbox
   * copies it returns: the hook runs this on every prompt. An entry that cannot be decoded is quarantined by
   * the read and not counted.
   */
  const unsurfaced = (sessionId: SessionId, limit?: number) =>
    Effect.gen(function* () {
      const ids = (dir: string) => Effect.map(envelopes.list(dir), (names) => new Set(names))
      const inboxDir = Layout.inboxDir(sessionId)
      const [names, live, read, surfaced] = yield* Effect.all([
        envelopes.list(inboxDir),
        broadcasts.live,
        ids(Layout.readDir(sessionId)),
        ids(Layout.surfacedDir(sessionId))
      ])
      const isWaiting = (id: string) => !read.has(id) && !surfaced.has(id)
      const candidates: Array<{ readonly id: string; readonly stored?: MessageEnvelope }> = []
      for (const n of names)
        if (n.endsWith(".json") && isWaiting(n.slice(0, -5))) candidates.push({ id: n.slice(0, -5) })
      for (const s of live)
        if (s.envelope.from.sessionId !== sessionId && isWaiting(s.envelope.id))
          candidates.push({ id: s.envelope.id, stored: s.envelope })
      candidates.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const chosen = limit === undefined ? candidates : candidates.slice(0, Math.max(0, limit))
      const toRead = chosen.filter((c) => c.stored === undefined)
      const decoded = yield* envelopes.readMany(toRead.map((c) => `${inboxDir}/${c.id}.json`))
      const byId = new Map<string, MessageEnvelope>()
      for (const e of decoded) if (Option.isSome(e)) byId.set(e.value.id, e.value)
      const entries = chosen.flatMap((c) => {
        const e = c.stored ?? byId.get(c.id)
        return e === undefined ? [] : [e]
      })
      return { entries, waiting: candidates.length - (chosen.length - entries.length) }
    })

  return Surfacing.of({
    unsurfaced,
    markSurfaced: markers(Layout.surfacedMarker),
    createRead: markers(Layout.readMarker)
  })
})

export const layer: Layer.Layer<Surfacing, never, Store | Envelopes | Broadcasts> = Layer.effect(Surfacing, make)
