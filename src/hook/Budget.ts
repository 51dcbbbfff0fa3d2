import { Cause, Duration, Effect, Exit, Fiber, Option } from "effect"

/** Default wall-clock budget of one hook run (SESSION_BRIDGE_HOOK_BUDGET_MS). */
export const DEFAULT_BUDGET_MS = 1500
/** After the budget, how long an interrupted run may take to undo its partial work (release locks, unmark). */
export const CLEANUP_GRACE_MS = 150

export type BudgetOutcome<A> =
  | { readonly _tag: "Done"; readonly value: A }
  | { readonly _tag: "TimedOut" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

/**
 * Runs `work` in its own fiber for at most `budgetMs`. When the budget runs out the fiber is interrupted (its
 * finalizers run), and the caller gets `TimedOut` after at most `graceMs` more, whether or not the interrupted
 * fiber has finished cleaning up; if the fiber completes within the grace (an uninterruptible last step), its
 * value is kept. Failures and defects come back as `Failed`; nothing escapes.
 */
export const withBudget = <A, E, R>(
  work: Effect.Effect<A, E, R>,
  budgetMs: number,
  graceMs: number = CLEANUP_GRACE_MS
): Effect.Effect<BudgetOutcome<A>, never, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(work)
    const exit = yield* Fiber.await(fiber).pipe(Effect.timeout(Duration.millis(Math.max(1, budgetMs))), Effect.option)
    if (Option.isNone(exit)) {
      yield* Fiber.interruptFork(fiber)
      const late = yield* Fiber.await(fiber).pipe(Effect.timeout(Duration.millis(Math.max(1, graceMs))), Effect.option)
      // Work that finished anyway (it was in an uninterruptible step) is not thrown away.
      if (Option.isSome(late) && Exit.isSuccess(late.value)) return { _tag: "Done", value: late.value.value } as const
      return { _tag: "TimedOut" } as const
    }
    return Exit.match(exit.value, {
      onSuccess: (value): BudgetOutcome<A> => ({ _tag: "Done", value }),
      onFailure: (cause): BudgetOutcome<A> => ({ _tag: "Failed", cause })
    })
  })
