import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { DEFAULT_HOOK_BUDGET_MS } from "../domain/HookStamp.js"

/** Default wall-clock budget of one hook run (SESSION_BRIDGE_HOOK_BUDGET_MS). */
export const DEFAULT_BUDGET_MS = DEFAULT_HOOK_BUDGET_MS
/** After the budget, how long a run may take to finish a started commit or undo its partial work. */
export const CLEANUP_GRACE_MS = 150

export type BudgetOutcome<A> =
  | { readonly _tag: "Done"; readonly value: A }
  | { readonly _tag: "TimedOut" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<unknown> }

/**
 * Runs a hook's work in its own fiber within `budgetMs`. The work is two steps: `prepare`, which is interruptible
 * and yields a commit, and the commit, which is not. When the budget runs out the fiber is interrupted (during
 * `prepare` its finalizers run, releasing locks), and the caller gets `TimedOut` after at most `graceMs` more;
 * a commit already started is not cut short, and its value is kept if it ends within the grace. Failures and
 * defects come back as `Failed`; nothing escapes. The fiber is a daemon: a caller that got `TimedOut` may exit
 * without waiting for it.
 */
export const withBudget = <A, E1, E2, R>(
  prepare: Effect.Effect<Effect.Effect<A, E2>, E1, R>,
  budgetMs: number,
  graceMs: number = CLEANUP_GRACE_MS
): Effect.Effect<BudgetOutcome<A>, never, R> =>
  Effect.gen(function* () {
    // Forked uninterruptible, so the commit (run last, outside `interruptible`) ends the fiber without an
    // interruption check that would discard its value.
    const fiber = yield* Effect.uninterruptible(Effect.forkDaemon(Effect.flatten(Effect.interruptible(prepare))))
    const exit = yield* Fiber.await(fiber).pipe(Effect.timeout(Duration.millis(Math.max(1, budgetMs))), Effect.option)
    if (Option.isNone(exit)) {
      yield* Fiber.interruptFork(fiber)
      const late = yield* Fiber.await(fiber).pipe(Effect.timeout(Duration.millis(Math.max(1, graceMs))), Effect.option)
      if (Option.isSome(late) && Exit.isSuccess(late.value)) return { _tag: "Done", value: late.value.value } as const
      return { _tag: "TimedOut" } as const
    }
    return Exit.match(exit.value, {
      onSuccess: (value): BudgetOutcome<A> => ({ _tag: "Done", value }),
      onFailure: (cause): BudgetOutcome<A> => ({ _tag: "Failed", cause })
    })
  })
