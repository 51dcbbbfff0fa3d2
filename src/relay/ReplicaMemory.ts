import { makeTokenCache, type TokenCache } from "./TokenCache.js"
import { makeSpoolTails, RECIPIENTS_KEPT, type SpoolTails, TAIL_TRUST_MS } from "./sql/SpoolTails.js"

/**
 * What a PostgreSQL replica keeps in memory on the word of its LISTEN connection
 * (docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md): looked-up tokens, which other replicas' revokes
 * drop, and where each recipient's spool ends, which other replicas' commits move. Both start paused and are kept
 * only while the connection listens: `resume` at every successful LISTEN, `pause` as soon as it is lost.
 */
export interface ReplicaMemory {
  readonly tokens: TokenCache
  readonly tails: SpoolTails
  readonly pause: () => void
  readonly resume: () => void
}

/** How long a token looked up by a replica is answered from memory: what a missed revoke notice can cost. */
export const REPLICA_TOKEN_TTL_MS = 1_000

export const makeReplicaMemory = (tokenTtlMs: number = REPLICA_TOKEN_TTL_MS): ReplicaMemory => {
  const tokens = makeTokenCache(tokenTtlMs, undefined, true)
  const tails = makeSpoolTails(TAIL_TRUST_MS, RECIPIENTS_KEPT, true)
  return {
    tokens,
    tails,
    pause: () => {
      tokens.pause()
      tails.pause()
    },
    resume: () => {
      tokens.resume()
      tails.resume()
    }
  }
}
