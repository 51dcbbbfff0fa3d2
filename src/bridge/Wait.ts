import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import { InvalidArgument } from "../domain/Errors.js"
import type { StoreChange, StoreShape } from "../services/store/Store.js"
import { nextTurn } from "./EventLoop.js"
import { WAIT_DEFAULT_SEC, WAIT_MAX_SEC } from "./Limits.js"

/** The backstop re-check while waiting, in case a watch event is missed: 50 ms doubling to 1 s. */
const BACKSTOP_FIRST_MS = 50
const BACKSTOP_MAX_MS = 1000
const BACKSTOP = "backstop" as const
const TIMEOUT = "timeout" as const
type Wake = StoreChange | typeof BACKSTOP | typeof TIMEOUT

/**
 * Wakes the waiting loop at the backstop times, whatever the watches report, and once more when `timeoutMs` has
 * passed. The deadline is a wake like the others rather than a race around the loop: a wait that finds its
 * message ends without interrupting a timer (which costs a fraction of a millisecond on every delivery).
 */
const backstop = (wakes: Queue.Enqueue<Wake>, timeoutMs: number) =>
  Effect.gen(function* () {
    const deadline = (yield* Clock.currentTimeMillis) + timeoutMs
    for (let ms = BACKSTOP_FIRST_MS; ; ms = Math.min(ms * 2, BACKSTOP_MAX_MS)) {
      const left = deadline - (yield* Clock.currentTimeMillis)
      if (left <= 0) return yield* Queue.offer(wakes, TIMEOUT)
      yield* Effect.sleep(Duration.millis(Math.min(ms, left)))
      yield* Queue.offer(wakes, BACKSTOP)
    }
  })

/**
 * Runs `attempt` until it finds something or `timeoutSec` (0-300, default 30) passes. The store subscriptions
 * to `dirs` are live before the first attempt, so nothing that lands afterwards goes unseen; between attempts it
 * sleeps until a change is reported or the backstop re-check (for a missed event) is due. 0 attempts once.
 */
export const waitUntil = <A, E>(
  store: StoreShape,
  dirs: ReadonlyArray<string>,
  attempt: Effect.Effect<Option.Option<A>, E>,
  timeoutSec: number | undefined,
  /** A cheaper first look at the entry a change names; the full `attempt` runs when it finds nothing. */
  onChange: (change: StoreChange) => Effect.Effect<Option.Option<A>, E> = () => Effect.succeed(Option.none())
): Effect.Effect<Option.Option<A>, E | InvalidArgument> =>
  Effect.gen(function* () {
    const timeout = timeoutSec ?? WAIT_DEFAULT_SEC
    if (!Number.isFinite(timeout) || timeout < 0 || timeout > WAIT_MAX_SEC) {
      return yield* new InvalidArgument({
        message: `timeoutSec must be from 0 to ${WAIT_MAX_SEC}, got ${timeout}`,
        hint: "Omit it for 30 seconds."
      })
    }
    if (timeout === 0) return yield* attempt
    const loop = Effect.gen(function* () {
      const wakes = yield* Queue.unbounded<Wake>()
      const offer = (change: StoreChange) => void Queue.unsafeOffer(wakes, change)
      yield* Effect.forEach(
        dirs,
        (d) =>
          store
            .subscribe(d, offer)
            .pipe(
              Effect.catchAll((e) => Effect.logWarning(`watch of ${d} failed: ${e.message}; re-checking on a timer`))
            ),
        { discard: true }
      )
      yield* Effect.forkScoped(backstop(wakes, timeout * 1000))
      let found = yield* attempt
      while (Option.isNone(found)) {
        const first = yield* Queue.take(wakes)
        for (const wake of [first, ...(yield* Queue.takeAll(wakes))]) {
          if (wake === TIMEOUT) return Option.none<A>()
          if (wake === BACKSTOP) continue
          found = yield* onChange(wake)
          if (Option.isSome(found)) return found
        }
        found = yield* attempt
      }
      return found
    })
    // The watches and the backstop are closed in the background once the wait is decided and the answer is on its
    // way.
    const scope = yield* Scope.make()
    return yield* Scope.extend(loop, scope).pipe(
      Effect.onExit((exit) => Effect.forkDaemon(Effect.zipRight(nextTurn, Scope.close(scope, exit))))
    )
  })
