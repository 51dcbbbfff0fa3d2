import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { RemoteRateLimited } from "../domain/Errors.js"

/*
 * The local guardrails on remote sends (CLOUD.md 2.12): a session may send at most 30 messages to contacts per
 * minute, and at most 2 replies to the same inbound remote message within 10 s (a reply storm between two models
 * stops there). Local sends are never limited. Sliding windows, kept in the memory of the process that sends.
 */

export const REMOTE_SENDS_PER_MINUTE = 30
export const REPLIES_PER_MESSAGE = 2
export const REPLY_WINDOW_MS = 10_000
const MINUTE_MS = 60_000

export interface RemoteLimiter {
  /** Counts one send when it is allowed; RATE_LIMITED (nothing counted) when not. */
  readonly admit: (sessionId: string, replyTo: Option.Option<string>) => Effect.Effect<void, RemoteRateLimited>
}

const limited = (what: string, retryAfterMs: number) =>
  new RemoteRateLimited({
    message: `${what}; nothing was sent. Retry after ${Math.ceil(retryAfterMs / 1000)} s.`,
    retryAfterMs
  })

/** Drops the times older than the window and returns what is left. */
const within = (times: ReadonlyArray<number> | undefined, now: number, windowMs: number) =>
  (times ?? []).filter((t) => now - t < windowMs)

export const makeRemoteLimiter = (enabled: boolean): RemoteLimiter => {
  const sends = new Map<string, ReadonlyArray<number>>()
  const replies = new Map<string, ReadonlyArray<number>>()
  return {
    admit: (sessionId, replyTo) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (!enabled) return Effect.void
        const recent = within(sends.get(sessionId), now, MINUTE_MS)
        if (recent.length >= REMOTE_SENDS_PER_MINUTE)
          return Effect.fail(
            limited(
              `this session sent ${recent.length} messages to contacts in the last minute (at most ${REMOTE_SENDS_PER_MINUTE})`,
              MINUTE_MS - (now - recent[0]!)
            )
          )
        const key = Option.map(replyTo, (id) => `${sessionId}|${id}`)
        const answered = Option.isSome(key) ? within(replies.get(key.value), now, REPLY_WINDOW_MS) : []
        if (answered.length >= REPLIES_PER_MESSAGE)
          return Effect.fail(
            limited(
              `this session already replied ${answered.length} times to that message in the last ${REPLY_WINDOW_MS / 1000} s (at most ${REPLIES_PER_MESSAGE})`,
              REPLY_WINDOW_MS - (now - answered[0]!)
            )
          )
        sends.set(sessionId, [...recent, now])
        if (Option.isSome(key)) replies.set(key.value, [...answered, now])
        return Effect.void
      })
  }
}
