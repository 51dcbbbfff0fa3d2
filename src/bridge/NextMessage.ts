import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import type { StoreChange, StoreShape } from "../services/store/Store.js"
import type { BroadcastsShape } from "./Broadcasts.js"
import type { EnvelopesShape } from "./Envelopes.js"
import type { SurfacingShape } from "./Surfacing.js"
import { nextTurn } from "./EventLoop.js"
import { waitUntil } from "./Wait.js"

const isMessageId = (id: string) => /^[0-9A-Z]{26}$/.test(id)

/**
 * `waitForMessage`: the oldest unread entry not yet shown to a session, waiting for one to arrive. An entry is
 * handed out at most once per process; its surfaced marker is written in the background.
 */
export const makeWaitForMessage = (deps: {
  readonly store: StoreShape
  readonly envelopes: EnvelopesShape
  readonly broadcasts: BroadcastsShape
  readonly surfacing: SurfacingShape
}) => {
  const { store, envelopes, broadcasts, surfacing } = deps
  /** Entries this process's waits handed out. */
  const handedOut = new Set<string>()
  /** After the answer is on its way: the marker's write does not delay it. */
  const markInBackground = (sessionId: SessionId, id: string) =>
    Effect.forkDaemon(Effect.zipRight(nextTurn, Effect.ignore(surfacing.markSurfaced(sessionId, [id]))))

  const takeOne = (sessionId: SessionId) =>
    Effect.gen(function* () {
      // Oldest first: past the entries already handed out, the next one is among the first handedOut.size + 1, so
      // only those are read (an inbox of thousands waiting costs a few reads, not thousands); more only when some of
      // them did not decode.
      for (let limit = handedOut.size + 1; ; limit *= 2) {
        const pending = yield* surfacing.unsurfaced(sessionId, limit)
        for (const e of pending.entries) {
          const key = `${sessionId}/${e.id}`
          if (handedOut.has(key)) continue
          handedOut.add(key)
          yield* markInBackground(sessionId, e.id)
          return Option.some(e)
        }
        if (pending.entries.length >= pending.waiting) return Option.none<MessageEnvelope>()
      }
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
      const stat = (path: string) => store.stat(path)
      const [read, surfaced, found] = yield* Effect.all([
        stat(Layout.readMarker(sessionId, id)),
        stat(Layout.surfacedMarker(sessionId, id)),
        entry
      ])
      if (Option.isSome(read) || Option.isSome(surfaced)) return Option.none<MessageEnvelope>()
      if (Option.isNone(found) || handedOut.has(key)) return Option.none<MessageEnvelope>()
      handedOut.add(key)
      yield* markInBackground(sessionId, id)
      return found
    })

  return (sessionId: SessionId, timeoutSec?: number) =>
    waitUntil(store, [Layout.inboxDir(sessionId), Layout.broadcastsDir], takeOne(sessionId), timeoutSec, (change) =>
      takeNamed(sessionId, change)
    )
}
