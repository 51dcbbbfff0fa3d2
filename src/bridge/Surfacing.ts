import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { toBridgeError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import type { StoreChange, StoreShape } from "../services/Store.js"
import type { BroadcastsShape } from "./Broadcasts.js"
import type { EnvelopesShape } from "./Envelopes.js"
import { waitUntil } from "./Wait.js"

const isMessageId = (id: string) => /^[0-9A-Z]{26}$/.test(id)

/**
 * Read and surfaced markers (empty files created exclusively: the first creator wins), the entries not yet
 * shown to a session, and waiting for the next one.
 */
export const makeSurfacing = (deps: {
  readonly store: StoreShape
  readonly envelopes: EnvelopesShape
  readonly broadcasts: BroadcastsShape
}) => {
  const { store, envelopes, broadcasts } = deps
  const markers =
    (dirOf: (sessionId: string, id: string) => string) => (sessionId: SessionId, ids: ReadonlyArray<string>) =>
      Effect.forEach([...new Set(ids)], (id) =>
        Effect.map(store.createEmpty(dirOf(sessionId, id)), (won) => (won ? [id] : []))
      ).pipe(
        Effect.map((r) => r.flat()),
        Effect.mapError(toBridgeError)
      )
  const markSurfaced = markers(Layout.surfacedMarker)
  const createRead = markers(Layout.readMarker)

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

  /** Entries this process's waits handed out; their surfaced markers are written in the background. */
  const handedOut = new Set<string>()
  const takeOne = (sessionId: SessionId) =>
    Effect.gen(function* () {
      for (const e of yield* unsurfaced(sessionId)) {
        const key = `${sessionId}/${e.id}`
        if (handedOut.has(key)) continue
        handedOut.add(key)
        yield* Effect.forkDaemon(Effect.ignore(markSurfaced(sessionId, [e.id])))
        return Option.some(e)
      }
      return Option.none<MessageEnvelope>()
    })

  /** The entry a watch event names, when it is new to this session: no directory listing needed. */
  const takeNamed = (sessionId: SessionId, change: StoreChange) =>
    Effect.gen(function* () {
      const id = change.name.endsWith(".json") ? change.name.slice(0, -5) : ""
      const key = `${sessionId}/${id}`
      if (!isMessageId(id) || handedOut.has(key)) return Option.none<MessageEnvelope>()
      const entry =
        change.dir === Layout.broadcastsDir
          ? Effect.map(
              broadcasts.get(id),
              Option.filter((e) => e.from.sessionId !== sessionId)
            )
          : envelopes.read(`${change.dir}/${change.name}`)
      const stat = (path: string) => Effect.mapError(store.stat(path), toBridgeError)
      const [read, surfaced, found] = yield* Effect.all([
        stat(Layout.readMarker(sessionId, id)),
        stat(Layout.surfacedMarker(sessionId, id)),
        entry
      ])
      if (Option.isSome(read) || Option.isSome(surfaced)) return Option.none<MessageEnvelope>()
      if (Option.isNone(found) || handedOut.has(key)) return Option.none<MessageEnvelope>()
      handedOut.add(key)
      yield* Effect.forkDaemon(Effect.ignore(markSurfaced(sessionId, [id])))
      return found
    })

  const waitForMessage = (sessionId: SessionId, timeoutSec?: number) =>
    waitUntil(store, [Layout.inboxDir(sessionId), Layout.broadcastsDir], takeOne(sessionId), timeoutSec, (change) =>
      takeNamed(sessionId, change)
    )
  return { markSurfaced, createRead, unsurfaced, waitForMessage }
}
