import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RateLimited } from "./HttpErrors.js"

/** A token bucket: `burst` tokens at most, refilled at `perMs` tokens per millisecond. */
export interface Rule {
  readonly name: string
  readonly burst: number
  readonly perMs: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const MiB = 1024 * 1024

/** The relay's limits (CLOUD.md 2.3, 2.5, 2.12). A replayed send gives its tokens back: retries cost nothing. */
export const Rules = {
  /** 60/min sustained, burst 30, per sending account. */
  send: { name: "sends", burst: 30, perMs: 60 / MINUTE },
  /** 30/min per (sender → recipient). */
  sendPair: { name: "sends to this recipient", burst: 30, perMs: 30 / MINUTE },
  /** 5/hour per IP. */
  register: { name: "registrations", burst: 5, perMs: 5 / HOUR },
  /** 20/min per IP. */
  authFailure: { name: "failed authentications", burst: 20, perMs: 20 / MINUTE },
  /** 10/hour per account. */
  inviteCreate: { name: "invite creations", burst: 10, perMs: 10 / HOUR },
  /** 30/min per account. */
  inviteLookup: { name: "invite lookups", burst: 30, perMs: 30 / MINUTE },
  /** 100 MiB/hour of uploads per account (the cost is bytes). */
  blobBytes: { name: "uploaded bytes", burst: 100 * MiB, perMs: (100 * MiB) / HOUR }
} as const satisfies Record<string, Rule>

/**
 * Token buckets in this replica's memory (a client spread over N replicas gets at most N× the limit: CLOUD.md
 * 2.12). `take` fails with `RateLimited` and the seconds until the cost fits; `--rate-limits off` makes every take
 * succeed (quotas in the store still apply).
 */
export class RateLimiter extends Context.Tag("session-bridge/RelayRateLimiter")<
  RateLimiter,
  {
    readonly take: (rule: Rule, key: string, cost?: number) => Effect.Effect<void, RateLimited>
    /** Whether a bucket has at least one token left, without taking it. */
    readonly allows: (rule: Rule, key: string) => Effect.Effect<boolean>
    /** Returns what a `take` took, up to the bucket's burst (a send that turned out to be a retry costs nothing). */
    readonly giveBack: (rule: Rule, key: string, cost?: number) => Effect.Effect<void>
  }
>() {}

interface Bucket {
  tokens: number
  at: number
}

/** Buckets idle long enough to be full again are dropped, so the map stays as small as the active clients. */
const PRUNE_EVERY = 10_000

export const makeBuckets = Effect.sync(() => {
  const buckets = new Map<string, Bucket>()
  let ops = 0
  const refill = (rule: Rule, key: string, now: number): Bucket => {
    const id = `${rule.name}\u0000${key}`
    const bucket = buckets.get(id) ?? { tokens: rule.burst, at: now }
    bucket.tokens = Math.min(rule.burst, bucket.tokens + (now - bucket.at) * rule.perMs)
    bucket.at = now
    buckets.set(id, bucket)
    if (++ops % PRUNE_EVERY === 0) {
      for (const [k, b] of buckets) if (b.tokens >= rule.burst && now - b.at > HOUR) buckets.delete(k)
    }
    return bucket
  }
  return RateLimiter.of({
    take: (rule, key, cost = 1) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const bucket = refill(rule, key, now)
        if (bucket.tokens >= cost) {
          bucket.tokens -= cost
          return Effect.void
        }
        const waitMs =
          Math.min(cost, rule.burst) > bucket.tokens ? (Math.min(cost, rule.burst) - bucket.tokens) / rule.perMs : 0
        return Effect.fail(new RateLimited({ what: rule.name, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) }))
      }),
    allows: (rule, key) => Effect.map(Clock.currentTimeMillis, (now) => refill(rule, key, now).tokens >= 1),
    giveBack: (rule, key, cost = 1) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const bucket = refill(rule, key, now)
        bucket.tokens = Math.min(rule.burst, bucket.tokens + cost)
      })
  })
})

/** Limits on (the default) or off (load tests on a private relay). */
export const layer = (enabled: boolean): Layer.Layer<RateLimiter> =>
  enabled
    ? Layer.effect(RateLimiter, makeBuckets)
    : Layer.succeed(
        RateLimiter,
        RateLimiter.of({ take: () => Effect.void, allows: () => Effect.succeed(true), giveBack: () => Effect.void })
      )
