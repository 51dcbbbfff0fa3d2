import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Hash from "effect/Hash"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import { LockTimeout, type StoreError } from "../domain/Errors.js"
import { HostEnv, type HostEnvShape } from "./HostEnv.js"
import { Lock, type LockShape } from "./Lock.js"
import { Store, type StoreShape } from "./store/Store.js"

/**
 * A lock file's holder, decoded through the lock file's schema (made on first use: most runs never read a lock
 * file, only a contended or stale one); none when the text is not a lock file.
 */
let lockFile:
  ((u: unknown) => Option.Option<{ readonly pid: number; readonly token: string; readonly at: number }>) | undefined
export const decodeLockFile = (u: unknown) =>
  (lockFile ??= Schema.decodeUnknownOption(
    Schema.parseJson(Schema.Struct({ pid: Schema.Number, token: Schema.String, at: Schema.Number }))
  ))(u)

/** A lock older than this is stale even when its pid looks alive (pid reuse). */
export const STALE_MS = 30_000

/** How deep a claim on a claim may go (each level only when a recoverer died in the middle of a recovery). */
const MAX_CLAIM_DEPTH = 2

const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,64}$/

/**
 * What names one lock file's content: its token, or, for a file that does not decode (or whose token is not a
 * safe name), a hash of its text. Two acquisitions never share a token, so the key names one instance.
 */
export const instanceKey = (text: string): string => {
  const token = Option.map(decodeLockFile(text), (h) => h.token)
  return Option.isSome(token) && SAFE_TOKEN.test(token.value)
    ? token.value
    : `h${(Hash.string(text) >>> 0).toString(36)}`
}

/** The file at `path` as a lock: whether it is stale now, and which instance it is. None when it is gone. */
export const inspectLock = (store: StoreShape, host: HostEnvShape, path: string, now: number) =>
  Effect.map(
    store.readText(path),
    Option.map((text) => {
      const holder = decodeLockFile(text)
      const stale = Option.match(holder, {
        onNone: () => true,
        onSome: (h) => !host.isPidAlive(h.pid) || now - h.at > STALE_MS
      })
      return { stale, key: instanceKey(text) }
    })
  )

const lockBody = (host: HostEnvShape, token: string, now: number) => JSON.stringify({ pid: host.pid, token, at: now })

/** Removes the lock file at `path` if it still holds `token` (a release, or dropping a claim). */
const release = (store: StoreShape, path: string, token: string) =>
  store.readText(path).pipe(
    Effect.flatMap((current) =>
      Option.exists(Option.flatMap(current, decodeLockFile), (h) => h.token === token)
        ? store.remove(path)
        : Effect.succeed(false)
    ),
    Effect.ignore
  )

/**
 * Takes away the lock file at `path` only if it still holds the stale instance `key`: never a lock taken after
 * that instance was inspected (see docs/adr/0011-stale-lock-takeover.md).
 *
 * 1. Claim the instance: create `<path>.stale-<key>` exclusively. Only one process at a time can hold the claim,
 *    and nothing but the claim holder (or the stale holder itself, releasing late) removes that instance.
 * 2. Under the claim, read `path` again: if it is gone or another instance, there is nothing to take over.
 * 3. Move it aside to `<path>.stale-<key>.taken` and read what was moved: if it is the stale instance, delete it.
 *    If not (the late holder released and a new lock was taken in between), put that lock back.
 *
 * A claim whose own holder died is taken over the same way, one level deeper. Returns true when `path` may now
 * be free (look again), false when another process is busy taking it over.
 */
export const takeOverStale = (
  store: StoreShape,
  host: HostEnvShape,
  path: string,
  key: string,
  token: string,
  depth = 0
): Effect.Effect<boolean, StoreError> =>
  Effect.gen(function* () {
    const claim = `${path}.stale-${key}`
    const now = yield* Clock.currentTimeMillis
    if (!(yield* store.createExclusive(claim, lockBody(host, token, now)))) {
      if (depth >= MAX_CLAIM_DEPTH) return false
      const held = yield* inspectLock(store, host, claim, now)
      if (Option.isNone(held)) return true
      if (!held.value.stale) return false
      yield* takeOverStale(store, host, claim, held.value.key, token, depth + 1)
      return true
    }
    return yield* swapOut(store, path, key, `${claim}.taken`).pipe(Effect.ensuring(release(store, claim, token)))
  }).pipe(Effect.uninterruptible)

/** Step 2 and 3 of takeOverStale, made while holding the claim. */
const swapOut = (store: StoreShape, path: string, key: string, aside: string) =>
  Effect.gen(function* () {
    const current = yield* store.readText(path)
    if (Option.isNone(current) || instanceKey(current.value) !== key) return true
    const moved = yield* store.move(path, aside).pipe(
      Effect.as(true),
      Effect.catchIf(
        (e) => e.reason === "NotFound",
        () => Effect.succeed(false)
      )
    )
    if (!moved) return true
    const taken = yield* store.readText(aside)
    if (Option.isSome(taken) && instanceKey(taken.value) !== key) {
      const restored = yield* store.createExclusive(path, taken.value)
      if (!restored) yield* Effect.logWarning(`a lock taken while ${path} was recovered could not be put back`)
    } else yield* Effect.logDebug(`recovered stale lock ${path}`)
    yield* store.remove(aside)
    return true
  })

/**
 * Takes the file at `path` (a lock, a claim, or a moved-aside lock under `locks/`) over if it is stale now, the
 * way a process waiting for it would; for gc. True when it was stale and taken over.
 */
export const removeIfStale = (path: string): Effect.Effect<boolean, StoreError, Store | HostEnv> =>
  Effect.gen(function* () {
    const store = yield* Store
    const host = yield* HostEnv
    const found = yield* inspectLock(store, host, path, yield* Clock.currentTimeMillis)
    if (Option.isNone(found) || !found.value.stale) return false
    const token = `${host.pid}-gc-${(yield* Random.nextInt).toString(36)}`
    return yield* takeOverStale(store, host, path, found.value.key, token)
  })

/**
 * Cross-process locks as files `locks/<name>.lock` created exclusively in the Store. A lock whose holder pid is
 * dead, or that is older than STALE_MS, or that cannot be read, is taken over (takeOverStale).
 */
export const make = Effect.gen(function* () {
  const store = yield* Store
  const host = yield* HostEnv

  const tryAcquire = (path: string, token: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (yield* store.createExclusive(path, lockBody(host, token, now))) return "acquired" as const
      const current = yield* inspectLock(store, host, path, now)
      if (Option.isNone(current)) return "retry" as const
      if (!current.value.stale) return "busy" as const
      return (yield* takeOverStale(store, host, path, current.value.key, token))
        ? ("retry" as const)
        : ("busy" as const)
    })

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
            if (waited >= timeoutMs) return yield* new LockTimeout({ name, waitedMs: waited })
            yield* Effect.sleep(delay)
            delay = Math.min(delay * 2, 25)
          }
        }),
        () => effect,
        () => release(store, path, token)
      )
    })

  return Lock.of({ withLock })
})

/** Lock files in the store; needs Store and HostEnv. */
export const layerFile: Layer.Layer<Lock, never, Store | HostEnv> = Layer.effect(Lock, make)
