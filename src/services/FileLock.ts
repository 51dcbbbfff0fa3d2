import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import { LockError } from "../domain/Errors.js"
import { HostEnv } from "./HostEnv.js"
import { Lock, type LockShape } from "./Lock.js"
import { Store } from "./Store.js"

/** The lock file's schema, made on first use: most runs never read a lock file (only a contended or stale one). */
let lockFile:
  ((u: unknown) => Option.Option<{ readonly pid: number; readonly token: string; readonly at: number }>) | undefined
const decodeLockFile = (u: unknown) =>
  (lockFile ??= Schema.decodeUnknownOption(
    Schema.parseJson(Schema.Struct({ pid: Schema.Number, token: Schema.String, at: Schema.Number }))
  ))(u)

/** A lock older than this is stale even when its pid looks alive (pid reuse). */
export const STALE_MS = 30_000

/**
 * Cross-process locks as files `locks/<name>.lock` created exclusively in the Store. A lock whose
 * holder pid is dead, or that is older than STALE_MS, or that cannot be read, is recovered.
 */
export const make = Effect.gen(function* () {
  const store = yield* Store
  const host = yield* HostEnv

  const tryAcquire = (path: string, token: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const body = JSON.stringify({ pid: host.pid, token, at: now })
      if (yield* store.createExclusive(path, body)) return "acquired" as const
      const current = yield* store.readText(path)
      const holder = Option.flatMap(current, decodeLockFile)
      const stale = Option.match(holder, {
        onNone: () => Option.isSome(current),
        onSome: (h) => !host.isPidAlive(h.pid) || now - h.at > STALE_MS
      })
      if (stale) {
        // Move the stale file aside under a unique name so that only one recoverer wins.
        const aside = `${path}.stale-${token}`
        const moved = yield* store.move(path, aside).pipe(
          Effect.as(true),
          Effect.catchTag("StoreError", () => Effect.succeed(false))
        )
        if (moved) yield* store.remove(aside)
        yield* Effect.logDebug(`recovered stale lock ${path}`)
        return "retry" as const
      }
      return "busy" as const
    })

  const release = (path: string, token: string) =>
    store.readText(path).pipe(
      Effect.flatMap((current) =>
        Option.exists(Option.flatMap(current, decodeLockFile), (h) => h.token === token)
          ? store.remove(path)
          : Effect.succeed(false)
      ),
      Effect.ignore
    )

  const withLock: LockShape["withLock"] = (name, options) => (effect) =>
    Effect.gen(function* () {
      const path = `locks/${name}.lock`
      const timeoutMs = options?.timeoutMs ?? 2000
      const token = `${host.pid}-${(yield* Random.nextInt).toString(36)}-${(yield* Clock.currentTimeMillis).toString(36)}`
      const started = yield* Clock.currentTimeMillis
      return yield* Effect.acquireUseRelease(
        Effect.gen(function* () {
          let delay = 2
          for (;;) {
            const outcome = yield* tryAcquire(path, token)
            if (outcome === "acquired") return
            if (outcome === "retry") continue
            const waited = (yield* Clock.currentTimeMillis) - started
            if (waited >= timeoutMs) return yield* new LockError({ name, waitedMs: waited })
            yield* Effect.sleep(delay)
            delay = Math.min(delay * 2, 25)
          }
        }),
        () => effect,
        () => release(path, token)
      )
    })

  return Lock.of({ withLock })
})

/** Lock files in the store; needs Store and HostEnv. */
export const layerFile: Layer.Layer<Lock, never, Store | HostEnv> = Layer.effect(Lock, make)
