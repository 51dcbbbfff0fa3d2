import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type { RelayStoreIo } from "./RelayErrors.js"
import type { AccountId, FreshEntry } from "./RelayStore.js"
import type { ReplicaMemory } from "./ReplicaMemory.js"
import { INBOX_CHANNEL, type InboxNotice, parseInbox, parseTokens, TOKENS_CHANNEL } from "./sql/Notify.js"
import { makeInProcess, Waiters } from "./Waiters.js"

/** What the LISTEN connection reports: it is listening (after every (re)connect), or a channel's payload. */
export type ListenEvent =
  | { readonly _tag: "Listening"; readonly backendPid: number }
  | { readonly _tag: "Notification"; readonly channel: string; readonly payload: string }

/** The channels a replica's LISTEN connection listens on (sql/Notify.ts). */
export const LISTEN_CHANNELS = [INBOX_CHANNEL, TOKENS_CHANNEL] as const
/** How the LISTEN connection shows in `pg_stat_activity.application_name` (the pool's is `session-bridge-relay`). */
export const LISTEN_APPLICATION_NAME = "session-bridge-relay-listen"

/**
 * Reconnect delays after the LISTEN connection drops: 10 ms doubling to 5 s, with jitter; reset once listening.
 * The first retry is nearly immediate: until it succeeds, a send on another replica reaches this replica's parked
 * polls only at their timeout or at the wake-up that follows the reconnect.
 */
const backoffMs = (attempt: number) => Math.min(5_000, 10 * 2 ** Math.min(attempt, 10))

/**
 * The rows to hand a recipient's polls once several notices came before one drain: the earlier rows and the new
 * ones while they stay dense (the new ones start right after), else none (the polls read). Handed rows are only
 * ever a poll's answer when the first follows its cursor (MessageHandlers.ts `inbox`), so this only saves reads.
 */
export const joined = (
  dirty: ReadonlyMap<AccountId, ReadonlyArray<FreshEntry> | undefined>,
  notice: InboxNotice
): ReadonlyArray<FreshEntry> | undefined => {
  if (!dirty.has(notice.recipientId)) return notice.rows
  const before = dirty.get(notice.recipientId)
  const last = before?.[before.length - 1]
  if (last === undefined || notice.rows === undefined || notice.rows[0]?.seq !== last.seq + 1) return undefined
  return [...before!, ...notice.rows]
}

/**
 * Waiters of a PostgreSQL replica (CLOUD.md 3.4): the in-process waiters, woken also by every replica's commits.
 *
 * - The **listener** fiber reads the LISTEN stream and only marks recipients dirty (a set) and rings a bell: no
 *   query and no wake in the stream, so a burst of notifications never queues behind I/O.
 * - The **drain** fiber takes the whole dirty set at each ring and wakes those recipients' local waiters once each
 *   (a recipient notified many times before a drain is woken once: single-flight per recipient), handing them the
 *   rows the notices carried (ADR-0076), as a send on this replica hands its own (ADR-0073).
 * - When the connection drops, the listener logs `listen_lost`, reconnects with backoff, and after each
 *   successful LISTEN wakes **every** waiter, so a notification missed while it was away costs a re-query, never
 *   a stuck poll. Correctness never depends on NOTIFY: a parked poll still ends at its timeout.
 * - With a `memory` (ReplicaMemory.ts, shared with the store): an inbox notice's seq raises that recipient's spool
 *   tail, a tokens notice drops those tokens from the cache; both are kept only while the connection listens
 *   (resumed at each `Listening`, paused as soon as it is lost), since a notice sent meanwhile is never heard.
 *
 * `listen` is the LISTEN connection's stream (src/platform/PgListen.ts), passed in so tests can drive it.
 */
export const make = (listen: Stream.Stream<ListenEvent, RelayStoreIo>, memory?: ReplicaMemory) =>
  Effect.gen(function* () {
    const local = yield* makeInProcess
    // Each dirty recipient with the rows its notices carried since the last drain (undefined: none to hand on).
    const dirty = new Map<AccountId, ReadonlyArray<FreshEntry> | undefined>()
    const bell = yield* Queue.sliding<void>(1)

    const mark = (payload: string) =>
      Effect.suspend(() => {
        const notice = parseInbox(payload)
        if (notice === undefined) return Effect.void
        if (memory !== undefined) {
          // An earlier release's notice carries no seq: no bound can be trusted to include it, so all start over.
          if (notice.seq === undefined) memory.tails.resume()
          else memory.tails.committed(notice.recipientId, notice.seq)
        }
        dirty.set(notice.recipientId, joined(dirty, notice))
        return Queue.offer(bell, undefined)
      })

    const forget = (payload: string) =>
      Effect.sync(() => {
        const notice = parseTokens(payload)
        if (memory === undefined || notice === undefined) return
        if (notice._tag === "Token") memory.tokens.dropToken(notice.hashHex)
        else memory.tokens.dropAccount(notice.accountId)
      })

    const drain = Effect.gen(function* () {
      yield* Queue.take(bell)
      const batch = [...dirty]
      dirty.clear()
      yield* Effect.forEach(batch, ([id, rows]) => local.wake(id, rows), { discard: true })
    }).pipe(Effect.forever)

    let attempt = 0
    const session = Stream.runForEach(listen, (event) => {
      if (event._tag === "Notification") {
        if (event.channel === INBOX_CHANNEL) return mark(event.payload)
        return event.channel === TOKENS_CHANNEL ? forget(event.payload) : Effect.void
      }
      const reconnected = attempt > 0
      attempt = 0
      // Heard from here on: what memory holds from before may miss notices sent while no connection listened.
      const resumed = Effect.sync(() => memory?.resume())
      // The first connection is logged at debug level only: the relay's first log line stays `listening`.
      return (reconnected ? Effect.logInfo("listen_connected") : Effect.logDebug("listen_connected")).pipe(
        Effect.zipLeft(resumed),
        Effect.annotateLogs({ backendPid: event.backendPid, channel: LISTEN_CHANNELS.join(",") }),
        // Whatever was notified while no connection listened is unknown: everyone re-queries.
        Effect.zipRight(reconnected ? local.wakeAll : Effect.void)
      )
    })
    const listener = Effect.gen(function* () {
      const result = yield* Effect.either(session)
      memory?.pause()
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
export const layer = (listen: Stream.Stream<ListenEvent, RelayStoreIo>, memory?: ReplicaMemory): Layer.Layer<Waiters> =>
  Layer.scoped(Waiters, make(listen, memory))
