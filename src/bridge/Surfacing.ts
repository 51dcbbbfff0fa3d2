import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type BridgeError, toBridgeError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { Store } from "../services/Store.js"
import { Broadcasts } from "./Broadcasts.js"
import { Envelopes } from "./Envelopes.js"

/**
 * Read and surfaced markers (empty files created exclusively: the first creator wins) and the entries not yet
 * shown to a session. The prompt hook needs only this of the mailbox.
 */
export interface SurfacingShape {
  /** Unread, not yet surfaced inbox entries and live broadcasts, oldest first. */
  readonly unsurfaced: (sessionId: SessionId) => Effect.Effect<Array<MessageEnvelope>, BridgeError>
  /** Creates surfaced markers exclusively; returns the ids this call marked first (at most once across processes). */
  readonly markSurfaced: (
    sessionId: SessionId,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, BridgeError>
  /** Creates read markers exclusively; returns the ids this call marked first. */
  readonly createRead: (
    sessionId: SessionId,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, BridgeError>
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
      ).pipe(
        Effect.map((r) => r.flat()),
        Effect.mapError(toBridgeError)
      )

  /** Reads only the inbox copies that are neither read nor surfaced (the hook runs this on every prompt). */
  const unsurfaced = (sessionId: SessionId) =>
    Effect.gen(function* () {
      const ids = (dir: string) => Effect.map(envelopes.list(dir), (names) => new Set(names))
      const [names, live, read, surfaced] = yield* Effect.all([
        envelopes.list(Layout.inboxDir(sessionId)),
        broadcasts.live,
        ids(Layout.readDir(sessionId)),
        ids(Layout.surfacedDir(sessionId))
      ])
      const waiting = (id: string) => !read.has(id) && !surfaced.has(id)
      const fresh = names.filter((n) => n.endsWith(".json") && waiting(n.slice(0, -5)))
      const inbox = yield* envelopes.readMany(fresh.map((n) => `${Layout.inboxDir(sessionId)}/${n}`))
      const out = inbox.flatMap(Option.toArray)
      for (const s of live) if (s.envelope.from.sessionId !== sessionId && waiting(s.envelope.id)) out.push(s.envelope)
      return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    })

  return Surfacing.of({
    unsurfaced,
    markSurfaced: markers(Layout.surfacedMarker),
    createRead: markers(Layout.readMarker)
  })
})

export const layer: Layer.Layer<Surfacing, never, Store | Envelopes | Broadcasts> = Layer.effect(Surfacing, make)
