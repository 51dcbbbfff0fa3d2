import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AccountId, FreshEntry } from "./RelayStore.js"

/**
 * How a parked long-poll ended: false, its timeout passed first; true, it was woken; the rows its wake handed it, when
 * the send that woke it committed them in this process, or another replica's notice carried them (ascending, dense
 * seqs, committed).
 */
export type Woken = boolean | ReadonlyArray<FreshEntry>

/** One parked long-poll. */
export interface Waiter {
  readonly await: (timeout: Duration.DurationInput) => Effect.Effect<Woken>
}

/**
 * Wakes long-polls when mail arrives for their recipient (CLOUD.md 3.4). A handler registers its waiter **before**
 * it queries the spool, so a message committed between the query and the wait still wakes it; the waiter leaves
 * when its scope closes. Correctness never depends on a wake: a missed one costs one poll's timeout.
 *
 * In-process layer: the single replica's send handler calls `wake` after its commit. The PostgreSQL layer
 * (PgWaiters.ts) wraps it: its LISTEN fiber wakes the recipients any replica's commits notify on `sb_inbox`, and
 * everyone (`wakeAll`) after it reconnects. A woken long-poll reads at once, without a waiter (a wake follows a
 * commit); one that finds nothing new registers again, reads again and parks for the time it has left, so a
 * spurious wake costs two reads (MessageHandlers.ts `inbox`, ADR-0068). A send's wake hands its row along, and a
 * poll whose cursor the row directly follows answers with it, reading nothing (ADR-0073).
 */
export interface WaitersShape {
  readonly register: (recipientId: AccountId) => Effect.Effect<Waiter, never, Scope.Scope>
  /** Wakes the recipient's parked polls, handing them `fresh` when given (rows this process just committed). */
  readonly wake: (recipientId: AccountId, fresh?: ReadonlyArray<FreshEntry>) => Effect.Effect<void>
  readonly wakeAll: Effect.Effect<void>
  /** The relay is stopping: every parked waiter wakes, and from now on a waiter's `await` answers false at once. */
  readonly close: Effect.Effect<void>
  /** How many waiters are parked (for health output and tests). */
  readonly size: Effect.Effect<number>
}

export class Waiters extends Context.Tag("session-bridge/Waiters")<Waiters, WaitersShape>() {}

/** How often the shared timer answers the parked polls whose time is up (a timeout is answered up to this late). */
export const TICK_MS = 100

interface Timed {
  readonly deferred: Deferred.Deferred<Woken>
  readonly deadline: number
}

/**
 * Waiters in this process: a set of `Deferred`s per recipient, completed `true` by a wake. Timeouts share one timer:
 * a parked poll only notes its deadline, and one fiber, running while any poll is parked, completes the overdue
 * ones `false` every `TICK_MS`. A parked poll holds no timer and no fiber of its own (a timeout per poll forked two
 * fibers and merged their state back on every poll).
 */
export const makeInProcess = Effect.sync((): WaitersShape => {
  const parked = new Map<AccountId, Set<Deferred.Deferred<Woken>>>()
  const timed = new Set<Timed>()
  let ticking = false
  let closed = false
  const ticker = Effect.gen(function* () {
    while (timed.size > 0) {
      yield* Effect.sleep(Duration.millis(TICK_MS))
      const now = yield* Clock.currentTimeMillis
      const due = [...timed].filter((t) => t.deadline <= now)
      for (const t of due) timed.delete(t)
      yield* Effect.forEach(due, (t) => Deferred.succeed(t.deferred, false), { discard: true })
    }
    ticking = false
  })
  const release = (recipientId: AccountId, deferred: Deferred.Deferred<Woken>) =>
    Effect.sync(() => {
      const set = parked.get(recipientId)
      if (set === undefined) return
      set.delete(deferred)
      if (set.size === 0) parked.delete(recipientId)
    })
  const complete = (set: Iterable<Deferred.Deferred<Woken>>, woken: Woken = true) =>
    Effect.forEach(set, (deferred) => Deferred.succeed(deferred, woken), { discard: true })
  const wakeAll = Effect.suspend(() => {
    const all = [...parked.values()].flatMap((set) => [...set])
    parked.clear()
    return complete(all)
  })
  const awaitOn = (deferred: Deferred.Deferred<Woken>, timeout: Duration.DurationInput) =>
    Effect.gen(function* () {
      if (yield* Deferred.isDone(deferred)) return yield* Deferred.await(deferred)
      const entry: Timed = { deferred, deadline: (yield* Clock.currentTimeMillis) + Duration.toMillis(timeout) }
      timed.add(entry)
      if (!ticking) {
        ticking = true
        yield* Effect.forkDaemon(ticker)
      }
      return yield* Deferred.await(deferred).pipe(Effect.ensuring(Effect.sync(() => timed.delete(entry))))
    })
  return {
    register: (recipientId) =>
      Effect.gen(function* () {
        if (closed) return { await: () => Effect.succeed(false) }
        const deferred = yield* Deferred.make<Woken>()
        yield* Effect.acquireRelease(
          Effect.sync(() => {
            const set = parked.get(recipientId) ?? new Set()
            set.add(deferred)
            parked.set(recipientId, set)
          }),
          () => release(recipientId, deferred)
        )
        return { await: (timeout) => awaitOn(deferred, timeout) }
      }),
    wake: (recipientId, fresh) =>
      Effect.suspend(() => {
        const set = parked.get(recipientId)
        if (set === undefined) return Effect.void
        parked.delete(recipientId)
        return complete(set, fresh ?? true)
      }),
    wakeAll,
    close: Effect.suspend(() => {
      closed = true
      return wakeAll
    }),
    size: Effect.sync(() => {
      let n = 0
      for (const set of parked.values()) n += set.size
      return n
    })
  }
})

/** The single-replica layer (SQLite mode, or any relay without LISTEN). */
export const layerInProcess: Layer.Layer<Waiters> = Layer.effect(Waiters, makeInProcess)
