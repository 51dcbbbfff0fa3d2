import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * A gate for work a loop does on some of its passes only: the effect it wraps runs when at least `intervalMs`
 * passed on Effect's Clock since the gate last ran it (the first call always runs it), else the call does nothing
 * and answers `None`. The daemon's pump scans for receipts and asks the relay for sent states through one each.
 */
export const atMostEvery = (intervalMs: number) =>
  Effect.sync(() => {
    let last = Number.NEGATIVE_INFINITY
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Option.Option<A>, E, R> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (now - last < intervalMs) return Effect.succeedNone
        last = now
        return Effect.asSome(effect)
      })
  })
