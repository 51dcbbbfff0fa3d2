import type { AccountId } from "./RelayStore.js"

/**
 * Live tokens a store has looked up, by token hash (hex) → account id, each kept at most `ttlMs`. The store drops
 * entries after its own revokes and disables commit, and a lookup that started before such a drop never fills the
 * cache (a generation count), so a revoked token or a disabled account is refused at once by the process that
 * revoked it. A change made by another process (a `relay account disable` beside a running SQLite relay, another
 * PostgreSQL replica) is seen within `ttlMs` (docs/adr/0034-relay-token-cache.md). Bounded: when full, the oldest
 * entry goes.
 */
export interface TokenCache {
  readonly get: (key: string, now: number) => AccountId | undefined
  /** The generation to hand back to `set`: read it before the database lookup. */
  readonly generation: () => number
  readonly set: (key: string, accountId: AccountId, generation: number, now: number) => void
  readonly dropToken: (key: string) => void
  readonly dropAccount: (accountId: AccountId) => void
  readonly size: () => number
}

export const makeTokenCache = (ttlMs: number, maxEntries = 10_000): TokenCache => {
  const entries = new Map<string, { readonly accountId: AccountId; readonly until: number }>()
  let generation = 0
  return {
    get: (key, now) => {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.until > now) return entry.accountId
      entries.delete(key)
      return undefined
    },
    generation: () => generation,
    set: (key, accountId, seen, now) => {
      if (ttlMs <= 0 || seen !== generation) return
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
    size: () => entries.size
  }
}
