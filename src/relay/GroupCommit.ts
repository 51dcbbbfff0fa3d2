import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

/** How big one batch may get, and how many batches may be in flight at once. */
export interface GroupCommitOptions<I> {
  /** Most items in one transaction. */
  readonly maxCount: number
  /** Most bytes (by `sizeOf`) in one transaction; a single larger item still goes, alone. */
  readonly maxBytes: number
  readonly sizeOf: (item: I) => number
  /** Writer fibers taking batches (1 for SQLite, whose one connection serialises transactions anyway). */
  readonly writers: number
  /**
   * How long a writer waits for more after taking the first item of a batch, when its last commit ended less than
   * `4 × lingerMs` ago (a busy relay): the other requests in flight finish their reads and join the batch instead
   * of each paying a commit of its own. A send that finds the writer idle goes at once. 0: never wait.
   */
  readonly lingerMs?: number | undefined
  /**
   * How many items are on their way (started, not yet submitted). When given, it replaces `lingerMs`: a writer that
   * committed under `4 × lingerMs` ago first sleeps 1 ms (so the event loop reads its sockets), then keeps taking
   * items while some are still arriving, until none came for `arrivalGapMs` or `arrivalWaitMs` passed in all.
   */
  readonly arriving?: (() => number) | undefined
  readonly arrivalGapMs?: number | undefined
  readonly arrivalWaitMs?: number | undefined
}

/**
 * Writes one batch in one transaction and answers one outcome per item, in order. An item's refusal is its own
 * failed `Exit`; the effect itself fails only when the transaction as a whole did (its commit included), and then
 * nothing of the batch is stored.
 */
export type RunBatch<I, A, E> = (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<Exit.Exit<A, E>>, unknown>

const ONE_MS = Duration.millis(1)

interface Pending<I, A, E> {
  readonly item: I
  /** Given the item's outcome once its transaction ended (or the store closed); never fails. */
  readonly settle: (exit: Exit.Exit<A, E>) => Effect.Effect<void>
}

/** What a group commit takes items with. */
export interface Submit<I, A, E> {
  /** Writes `item` in the next batch and answers its outcome once that batch's transaction ended. */
  (item: I): Effect.Effect<A, E>
  /**
   * Queues `item` and returns at once; `settle` gets its outcome, on the writer's fiber (it must not block). For a
   * write nobody waits for (a poll's ack), without a fiber and a Deferred of its own.
   */
  readonly detached: (item: I, settle: (exit: Exit.Exit<A, E>) => Effect.Effect<void>) => Effect.Effect<void>
}

/** Cuts what was taken into batches of at most `maxBytes` each (keeping arrival order). */
export const splitBySize = <T>(items: ReadonlyArray<T>, sizeOf: (item: T) => number, maxBytes: number) => {
  const batches: Array<Array<T>> = []
  let current: Array<T> = []
  let bytes = 0
  for (const item of items) {
    const size = sizeOf(item)
    if (current.length > 0 && bytes + size > maxBytes) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/**
 * Group commit: every item submitted while a batch is being written waits in a queue; when that batch has
 * committed, the writer takes everything waiting (up to the bounds) and writes it in the next transaction, so N
 * concurrent writes cost one commit (one fsync) instead of N. A submitter is answered only once the transaction
 * holding its item committed. When a batch's transaction fails whole (a lost connection, a deadlock, a conflict
 * with another replica), each of its items is written again in a transaction of its own, so one item cannot fail
 * the others; `onFailure` turns what is left into the item's error.
 *
 * A batch, once its first item is taken, is gathered and written to its end even when the scope closes; items still
 * queued then fail.
 */
export const make = <I, A, E, F>(
  run: RunBatch<I, A, E>,
  onFailure: (cause: unknown) => F,
  options: GroupCommitOptions<I>
): Effect.Effect<Submit<I, A, E | F>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<Pending<I, A, E | F>>()
    const failure = (cause: Cause.Cause<unknown>) => Exit.fail(onFailure(Cause.squash(cause)))

    const alone = (p: Pending<I, A, E | F>) =>
      Effect.flatMap(Effect.exit(run([p.item])), (exit) =>
        p.settle(Exit.isSuccess(exit) ? (exit.value[0] ?? failure(Cause.empty)) : failure(exit.cause))
      )

    const commit = (batch: ReadonlyArray<Pending<I, A, E | F>>) =>
      Effect.flatMap(Effect.exit(run(batch.map((p) => p.item))), (exit) =>
        Exit.isSuccess(exit)
          ? Effect.forEach(batch, (p, i) => p.settle(exit.value[i] ?? failure(Cause.empty)), {
              discard: true
            })
          : batch.length === 1
            ? batch[0]!.settle(failure(exit.cause))
            : Effect.forEach(batch, alone, { discard: true })
      )

    // Wall-clock time even under a TestClock: the linger is a performance knob, not a deadline of the product. Its
    // own `sleep`, not `Effect.sleep` with it provided, which would copy the fiber's services at every 1 ms step.
    const wall = Clock.make()
    const linger = options.lingerMs ?? 0
    let lastCommit = Number.NEGATIVE_INFINITY
    const arriving = options.arriving
    const gap = options.arrivalGapMs ?? 3
    const arrivalWait = options.arrivalWaitMs ?? 10
    // Natural batching: the writer takes whatever queued during the last commit, then, while the caller says more
    // items are on their way, the next ones as they come (each at most `gap` away, all within `arrivalWait`).
    const fill = (taken: Array<Pending<I, A, E | F>>) =>
      Effect.gen(function* () {
        if (arriving === undefined) return taken
        const started = wall.unsafeCurrentTimeMillis()
        // A busy writer first lets the event loop read the sockets once: requests not yet parsed are not counted.
        let wait = started - lastCommit < 4 * Math.max(linger, 1)
        let lastArrival = started
        // Polled in 1 ms steps (never a take under a timeout, which could lose an item to the timeout's interrupt).
        while (taken.length < options.maxCount && (wait || arriving() > 0)) {
          const at = wall.unsafeCurrentTimeMillis()
          if (at - started >= arrivalWait || at - lastArrival >= gap) break
          wait = false
          yield* wall.sleep(ONE_MS)
          const more = yield* Queue.takeUpTo(queue, options.maxCount - taken.length)
          if (more.length > 0) {
            taken.push(...more)
            lastArrival = wall.unsafeCurrentTimeMillis()
          }
        }
        return taken
      })
    // Only the wait for a first item can be interrupted: once taken, the batch is the writer's alone, and even a
    // closing scope lets it gather and commit it.
    const writer = Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        const first = yield* restore(Queue.take(queue))
        if (arriving === undefined && linger > 0 && wall.unsafeCurrentTimeMillis() - lastCommit < 4 * linger) {
          yield* wall.sleep(Duration.millis(linger))
        }
        const more = yield* Queue.takeUpTo(queue, Math.max(0, options.maxCount - 1))
        const taken = yield* fill([first, ...more])
        yield* Effect.forEach(
          splitBySize(taken, (p) => options.sizeOf(p.item), options.maxBytes),
          commit,
          {
            discard: true
          }
        )
        lastCommit = wall.unsafeCurrentTimeMillis()
      })
    ).pipe(Effect.forever)

    for (let i = 0; i < Math.max(1, options.writers); i++) yield* Effect.forkScoped(writer)
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Queue.takeAll(queue), (left) =>
        Effect.forEach(left, (p) => p.settle(failure(Cause.die("the store is closing"))), {
          discard: true
        })
      ).pipe(Effect.zipRight(Queue.shutdown(queue)))
    )

    const submit = (item: I) =>
      Effect.flatMap(Deferred.make<A, E | F>(), (done) =>
        Effect.zipRight(
          Queue.offer(queue, { item, settle: (exit) => Effect.asVoid(Deferred.done(done, exit)) }),
          Deferred.await(done)
        )
      )
    const detached: Submit<I, A, E | F>["detached"] = (item, settle) =>
      Effect.asVoid(
        Queue.offer(queue, { item, settle: (exit) => Effect.catchAllCause(settle(exit), () => Effect.void) })
      )
    return Object.assign(submit, { detached })
  })
