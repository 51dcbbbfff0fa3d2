import type { AccountId } from "./RelayStore.js"

/**
 * Live tokens a store has looked up, by token hash (hex) → account id, each kept at most `ttlMs`. The store drops
 * entries after its own revokes and disables commit, and a lookup that started before such a drop never fills the
 * cache (a generation count), so a revoked token or a disabled account is refused at once by the process that
 * revoked it. A change made by another process is seen within `ttlMs` (a `relay account disable` beside a running
 * SQLite relay: docs/adr/0034-relay-token-cache.md), or as soon as its notification arrives (another PostgreSQL
 * replica: docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md). Bounded: when full, the oldest entry goes.
 */
export interface TokenCache {
  readonly get: (key: string, now: number) => AccountId | undefined
  /** The generation to hand back to `set`: read it before the database lookup. */
  readonly generation: () => number
  readonly set: (key: string, accountId: AccountId, generation: number, now: number) => void
  readonly dropToken: (key: string) => void
  readonly dropAccount: (accountId: AccountId) => void
  readonly size: () => number
  /** Forgets every entry and caches nothing until `resume`; lookups in flight fill nothing. */
  readonly pause: () => void
  /** Starts caching again, from empty; lookups that started before fill nothing. */
  readonly resume: () => void
}

/**
 * `paused`: the cache starts paused (a PostgreSQL replica, until its LISTEN connection hears other replicas'
 * revokes: docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md).
 */
export const makeTokenCache = (ttlMs: number, maxEntries = 10_000, paused = false): TokenCache => {
  const entries = new Map<string, { readonly accountId: AccountId; readonly until: number }>()
  let generation = 0
  let on = !paused
  const restart = (caching: boolean) => {
    generation++
    entries.clear()
    on = caching
  }
  return {
    get: (key, now) => {
      if (!on) return undefined
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.until > now) return entry.accountId
      entries.delete(key)
      return undefined
    },
    generation: () => generation,
    set: (key, accountId, seen, now) => {
      if (ttlMs <= 0 || !on || seen !== generation) return
      if (entries.size >= maxEntries && !entries.has(key)) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
      entries.set(key, { accountId, until: now + ttlMs })
    },
    dropToken: (key) => {
      generation++
      entries.delete(key)
    },
    dropAccount: (accountId) => {
      generation++
      for (const [key, entry] of entries) if (entry.accountId === accountId) entries.delete(key)
    },
    size: () => entries.size,
    pause: () => restart(false),
    resume: () => restart(true)
  }
}
