import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { SessionRecord } from "../domain/Records.js"
import { Identity, type IdentityFailure, type IdentityInput } from "./Identity.js"
import { Sessions } from "./Sessions.js"

/** The session a tool call acts for. */
export interface CurrentSessionShape {
  readonly get: Effect.Effect<SessionRecord, IdentityFailure>
}

export class CurrentSession extends Context.Tag("session-bridge/CurrentSession")<
  CurrentSession,
  CurrentSessionShape
>() {}

/** Always the given record (tests, CLI `--as`). */
export const layerFixed = (record: SessionRecord): Layer.Layer<CurrentSession> =>
  Layer.succeed(CurrentSession, CurrentSession.of({ get: Effect.succeed(record) }))

/** lastSeen is refreshed at most this often by a lazy CurrentSession. */
export const TOUCH_EVERY_MS = 30_000

/**
 * Resolves the identity on the first `get` (not before: a host may spawn the server before its session-start
 * hook runs), then returns the cached record, refreshing lastSeen in the background at most every
 * TOUCH_EVERY_MS. A record removed meanwhile is registered again.
 */
export const makeLazy = <R>(
  input: Effect.Effect<IdentityInput, never, R>
): Effect.Effect<CurrentSessionShape, never, Identity | Sessions | R> =>
  Effect.gen(function* () {
    const identity = yield* Identity
    const sessions = yield* Sessions
    const context = yield* Effect.context<R>()
    // A plain cell, not a Ref: read and written only in synchronous steps of this process's one thread.
    let state = Option.none<{ readonly record: SessionRecord; readonly touchedAt: number }>()
    const setState = (record: SessionRecord, touchedAt: number) =>
      Effect.sync(() => void (state = Option.some({ record, touchedAt })))
    const mutex = yield* Effect.makeSemaphore(1)

    const resolveFresh = Effect.gen(function* () {
      const record = yield* identity.resolve(yield* Effect.provide(input, context))
      yield* setState(record, yield* Clock.currentTimeMillis)
      return record
    })

    const locked = mutex.withPermits(1)(
      Effect.gen(function* () {
        const current = state
        if (Option.isNone(current)) return yield* resolveFresh
        const now = yield* Clock.currentTimeMillis
        if (now - current.value.touchedAt < TOUCH_EVERY_MS) return current.value.record
        // Refresh lastSeen in the background: the call does not wait for the record's lock and disk sync.
        yield* setState(current.value.record, now)
        yield* Effect.forkDaemon(
          sessions.touch(current.value.record.sessionId).pipe(
            Effect.tap((record) => setState(record, now)),
            Effect.catchIf(
              (e) => e.code === "SESSION_NOT_FOUND",
              () => mutex.withPermits(1)(resolveFresh)
            ),
            Effect.catchAll((e) => Effect.logWarning(`lastSeen not refreshed: ${e.message}`))
          )
        )
        return current.value.record
      })
    )
    // The common case, a record resolved and touched less than TOUCH_EVERY_MS ago, is read without the mutex: a call
    // that finds it so does not queue behind another call's registration or refresh.
    // One step of the calling fiber: the cell and the clock read directly, no step of their own each.
    const get = Effect.clockWith((clock) => {
      const current = state
      return Option.isSome(current) && clock.unsafeCurrentTimeMillis() - current.value.touchedAt < TOUCH_EVERY_MS
        ? Effect.succeed(current.value.record)
        : locked
    })
    return CurrentSession.of({ get })
  })

export const layerLazy = <R>(
  input: Effect.Effect<IdentityInput, never, R>
): Layer.Layer<CurrentSession, never, Identity | Sessions | R> => Layer.effect(CurrentSession, makeLazy(input))
