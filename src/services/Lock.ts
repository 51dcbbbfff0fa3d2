import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LockTimeout, StoreError } from "../domain/Errors.js"

export interface LockOptions {
  /** How long to wait for the lock before failing with LockTimeout. Default 2000 ms. */
  readonly timeoutMs?: number
}

/** Mutual exclusion by name, across processes (lock files) or within one (semaphores). */
export interface LockShape {
  readonly withLock: (
    name: string,
    options?: LockOptions
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LockTimeout | StoreError, R>
}

export class Lock extends Context.Tag("session-bridge/Lock")<Lock, LockShape>() {}

/** In-process locks: one semaphore per name. */
export const layerMemory: Layer.Layer<Lock> = Layer.sync(Lock, () => {
  const semaphores = new Map<string, Effect.Semaphore>()
  const get = (name: string) => {
    let s = semaphores.get(name)
    if (!s) {
      s = Effect.unsafeMakeSemaphore(1)
      semaphores.set(name, s)
    }
    return s
  }
  return { withLock: (name) => (effect) => get(name).withPermits(1)(effect) }
})
