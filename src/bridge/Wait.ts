import { Duration, Effect, Option, Queue, Stream } from "effect"
import { type BridgeError, bridgeError } from "../domain/Errors.js"
import type { StoreShape } from "../services/Store.js"
import { WAIT_DEFAULT_SEC, WAIT_MAX_SEC } from "./Limits.js"

/** The backstop re-check while waiting, in case a watch event is missed: 10 ms doubling to 1 s. */
const BACKSTOP_FIRST_MS = 10
const BACKSTOP_MAX_MS = 1000

/**
 * Runs `attempt` until it finds something or `timeoutSec` (0-300, default 30) passes. Between attempts it
 * sleeps until the store's watch reports a change under one of `dirs`, or the backstop re-check is due (it
 * covers a change that lands while the watch is still starting, or a missed event). 0 attempts once.
 */
export const waitUntil = <A>(
  store: StoreShape,
  dirs: ReadonlyArray<string>,
  attempt: Effect.Effect<Option.Option<A>, BridgeError>,
  timeoutSec: number | undefined
): Effect.Effect<Option.Option<A>, BridgeError> =>
  Effect.gen(function* () {
    const timeout = timeoutSec ?? WAIT_DEFAULT_SEC
    if (!Number.isFinite(timeout) || timeout < 0 || timeout > WAIT_MAX_SEC) {
      return yield* bridgeError(
        "INVALID_ARGUMENT",
        `timeoutSec must be from 0 to ${WAIT_MAX_SEC}, got ${timeout}`,
        "Omit it for 30 seconds."
      )
    }
    if (timeout === 0) return yield* attempt
    const loop = Effect.gen(function* () {
      const signal = yield* Queue.sliding<void>(1)
      yield* Stream.mergeAll(
        dirs.map((d) => store.watch(d)),
        { concurrency: "unbounded" }
      ).pipe(
        Stream.runForEach(() => Queue.offer(signal, undefined)),
        Effect.catchAll((e) => Effect.logWarning(`watch failed: ${e.message}`)),
        Effect.forkScoped
      )
      yield* Effect.yieldNow()
      let backstop = BACKSTOP_FIRST_MS
      while (true) {
        const found = yield* attempt
        if (Option.isSome(found)) return found
        yield* Effect.raceFirst(Queue.take(signal), Effect.sleep(Duration.millis(backstop)))
        backstop = Math.min(backstop * 2, BACKSTOP_MAX_MS)
      }
    })
    return yield* Effect.scoped(loop).pipe(
      Effect.timeoutTo({ duration: Duration.seconds(timeout), onTimeout: () => Option.none<A>(), onSuccess: (x) => x })
    )
  })
