import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type { RelayStoreIo } from "./RelayErrors.js"
import type { AccountId } from "./RelayStore.js"
import { makeInProcess, Waiters } from "./Waiters.js"

/** The channel every replica's enqueue notifies (in its transaction) with the recipient's account id as payload. */
/** What the LISTEN connection reports: it is listening (after every (re)connect), or a channel's payload. */
export type ListenEvent =
  | { readonly _tag: "Listening"; readonly backendPid: number }
  | { readonly _tag: "Notification"; readonly payload: string }

export const INBOX_CHANNEL = "sb_inbox"
/** How the LISTEN connection shows in `pg_stat_activity.application_name` (the pool's is `session-bridge-relay`). */
export const LISTEN_APPLICATION_NAME = "session-bridge-relay-listen"

/**
 * Reconnect delays after the LISTEN connection drops: 10 ms doubling to 5 s, with jitter; reset once listening.
 * The first retry is nearly immediate: until it succeeds, a send on another replica reaches this replica's parked
 * polls only at their timeout or at the wake-up that follows the reconnect.
 */
const backoffMs = (attempt: number) => Math.min(5_000, 10 * 2 ** Math.min(attempt, 10))

const parseRecipient = (payload: string): AccountId | undefined => {
  const id = Number(payload)
  return Number.isSafeInteger(id) && id > 0 ? id : undefined
}

/**
 * Waiters of a PostgreSQL replica (CLOUD.md 3.4): the in-process waiters, woken also by every replica's commits.
 *
 * - The **listener** fiber reads the LISTEN stream and only marks recipients dirty (a set) and rings a bell: no
 *   query and no wake in the stream, so a burst of notifications never queues behind I/O.
 * - The **drain** fiber takes the whole dirty set at each ring and wakes those recipients' local waiters once each
 *   (a recipient notified many times before a drain is woken once: single-flight per recipient).
 * - When the connection drops, the listener logs `listen_lost`, reconnects with backoff, and after each
 *   successful LISTEN wakes **every** waiter, so a notification missed while it was away costs a re-query, never
 *   a stuck poll. Correctness never depends on NOTIFY: a parked poll still ends at its timeout.
 *
 * `listen` is the LISTEN connection's stream (src/platform/PgListen.ts), passed in so tests can drive it.
 */
export const make = (listen: Stream.Stream<ListenEvent, RelayStoreIo>) =>
  Effect.gen(function* () {
    const local = yield* makeInProcess
    const dirty = new Set<AccountId>()
    const bell = yield* Queue.sliding<void>(1)

    const mark = (payload: string) =>
      Effect.suspend(() => {
        const id = parseRecipient(payload)
        if (id === undefined) return Effect.void
        dirty.add(id)
        return Queue.offer(bell, undefined)
      })

    const drain = Effect.gen(function* () {
      yield* Queue.take(bell)
      const batch = [...dirty]
      dirty.clear()
      yield* Effect.forEach(batch, local.wake, { discard: true })
    }).pipe(Effect.forever)

    let attempt = 0
    const session = Stream.runForEach(listen, (event) => {
      if (event._tag === "Notification") return mark(event.payload)
      const reconnected = attempt > 0
      attempt = 0
      // The first connection is logged at debug level only: the relay's first log line stays `listening`.
      return (reconnected ? Effect.logInfo("listen_connected") : Effect.logDebug("listen_connected")).pipe(
        Effect.annotateLogs({ backendPid: event.backendPid, channel: INBOX_CHANNEL }),
        // Whatever was notified while no connection listened is unknown: everyone re-queries.
        Effect.zipRight(reconnected ? local.wakeAll : Effect.void)
      )
    })
    const listener = Effect.gen(function* () {
      const result = yield* Effect.either(session)
      const reason = result._tag === "Left" ? result.left.message : "the LISTEN stream ended"
      const delay = backoffMs(attempt++)
      const jittered = Math.round(delay * (0.5 + (yield* Random.next) / 2))
      yield* Effect.logWarning("listen_lost").pipe(Effect.annotateLogs({ reason, retryInMs: jittered }))
      yield* Effect.sleep(Duration.millis(jittered))
    }).pipe(Effect.forever)

    yield* Effect.forkScoped(drain)
    yield* Effect.forkScoped(listener)
    return Waiters.of(local)
  })

/** The PostgreSQL replica's layer; the listener and drain fibers run for the layer's lifetime. */
export const layer = (listen: Stream.Stream<ListenEvent, RelayStoreIo>): Layer.Layer<Waiters> =>
  Layer.scoped(Waiters, make(listen))
