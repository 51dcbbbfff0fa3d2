import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

/*
 * The daemon's order of work between its fibers (ADR-0057): a batch of messages being written to this machine's
 * inboxes marks itself busy; receipt work (queueing one, sending one) waits, before each receipt, until no batch
 * is being written, then yields the event loop once. Receipts are a report about messages, so they never hold a
 * message up; they are never starved either: a receipt waits at most MAX_WAIT_MS.
 */

/** How long one receipt waits for the messages being written at most (then it goes anyway). */
export const MAX_WAIT_MS = 250
const POLL_MS = 2

export interface ReceiptGate {
  /** Runs message work, marked busy while it runs. */
  readonly during: <A, E, R>(work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Waits until no message work runs (at most MAX_WAIT_MS), then yields the event loop. */
  readonly clear: Effect.Effect<void>
}

export const makeReceiptGate: Effect.Effect<ReceiptGate> = Effect.map(Ref.make(0), (busy) => {
  const waitIdle = (waited: number): Effect.Effect<void> =>
    Effect.flatMap(Ref.get(busy), (n) =>
      n === 0 || waited >= MAX_WAIT_MS
        ? Effect.void
        : Effect.zipRight(
            Effect.sleep(POLL_MS),
            Effect.suspend(() => waitIdle(waited + POLL_MS))
          )
    )
  return {
    during: (work) =>
      Effect.acquireUseRelease(
        Ref.update(busy, (n) => n + 1),
        () => work,
        () => Ref.update(busy, (n) => n - 1)
      ),
    clear: Effect.zipRight(waitIdle(0), Effect.yieldNow())
  }
})
