import { Duration, Effect, Option, Queue, Scope, Stream } from "effect"
import { type BridgeError, bridgeError } from "../domain/Errors.js"
import type { StoreChange, StoreShape } from "../services/Store.js"
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
  timeoutSec: number | undefined,
  /** A cheaper first look at the entry a change names; the full `attempt` runs when it finds nothing. */
  onChange: (change: StoreChange) => Effect.Effect<Option.Option<A>, BridgeError> = () => Effect.succeed(Option.none())
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
      const changes = yield* Queue.unbounded<StoreChange>()
      yield* Stream.mergeAll(
        dirs.map((d) => store.watch(d)),
        { concurrency: "unbounded" }
      ).pipe(
        Stream.runForEach((change) => Queue.offer(changes, change)),
        Effect.catchAll((e) => Effect.logWarning(`watch failed: ${e.message}`)),
        Effect.forkScoped
      )
      yield* Effect.yieldNow()
      let backstop = BACKSTOP_FIRST_MS
      let found = yield* attempt
      while (Option.isNone(found)) {
        const woke = yield* Effect.raceFirst(
          Effect.map(Queue.take(changes), Option.some),
          Effect.as(Effect.sleep(Duration.millis(backstop)), Option.none())
        )
        if (Option.isSome(woke)) {
          const pending = [woke.value, ...(yield* Queue.takeAll(changes))]
          for (const change of pending) {
            found = yield* onChange(change)
            if (Option.isSome(found)) return found
          }
        } else {
          backstop = Math.min(backstop * 2, BACKSTOP_MAX_MS)
        }
        found = yield* attempt
      }
      return found
    })
    // The watches are closed in the background once the wait is decided, so the answer does not wait for them.
    const scope = yield* Scope.make()
    return yield* Scope.extend(loop, scope).pipe(
      Effect.timeoutTo({ duration: Duration.seconds(timeout), onTimeout: () => Option.none<A>(), onSuccess: (x) => x }),
      Effect.onExit((exit) => Effect.forkDaemon(Scope.close(scope, exit)))
    )
  })
