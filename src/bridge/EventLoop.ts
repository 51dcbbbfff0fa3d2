import * as Effect from "effect/Effect"

/**
 * Resumes after the event loop's next turn (setImmediate): what is already in the kernel's queues (a watch report,
 * a reply being written) is handled first. Background work that must not delay an answer starts after it.
 */
export const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const t = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(t))
})
