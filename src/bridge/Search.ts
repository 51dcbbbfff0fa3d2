import { Context, Effect, Layer } from "effect"
import { type BridgeError, bridgeError } from "../domain/Errors.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { Broadcasts } from "./Broadcasts.js"
import { Channels } from "./Channels.js"
import { checkLimit } from "./Checks.js"
import { Envelopes, type StoredEnvelope } from "./Envelopes.js"
import { SEARCH_DEFAULT_LIMIT } from "./Limits.js"
import { makeVisibility } from "./Visibility.js"

export const MAX_QUERY_CHARS = 200

/**
 * Case-insensitive search over subject and body of what a session may see: its inbox, the history of the
 * channels it joined, and live broadcasts. Every whitespace-separated term must occur. Newest first.
 * Decoded envelopes are cached per process (see Envelopes), so repeated searches only read new files.
 */
export interface SearchShape {
  readonly search: (sessionId: SessionId, query: string, limit?: number | undefined) => Effect.Effect<ReadonlyArray<MessageEnvelope>, BridgeError>
}

export class Search extends Context.Tag("session-bridge/Search")<Search, SearchShape>() {}

export const make = Effect.gen(function* () {
  const view = makeVisibility(yield* Envelopes, yield* Broadcasts, yield* Channels)

  const search = (sessionId: SessionId, query: string, limit?: number) =>
    Effect.gen(function* () {
      const n = yield* checkLimit(limit, SEARCH_DEFAULT_LIMIT)
      const terms = query.toLowerCase().split(/\s+/).filter((t) => t.length > 0)
      if (terms.length === 0 || query.length > MAX_QUERY_CHARS) {
        return yield* bridgeError("INVALID_ARGUMENT", `query must have 1-${MAX_QUERY_CHARS} characters and at least one word`, "Search for a word or phrase from the subject or body.")
      }
      const { base, live } = yield* view.searchable(sessionId)
      const matches = (s: StoredEnvelope) => {
        for (const t of terms) if (!s.text.includes(t)) return false
        return true
      }
      // Newest first: scan from the end and stop once `n` are found.
      const hits: Array<StoredEnvelope> = []
      const seen = new Set<string>()
      for (let i = base.length - 1; i >= 0 && hits.length < n; i--) {
        const s = base[i]!
        if (matches(s) && !seen.has(s.envelope.id)) {
          seen.add(s.envelope.id)
          hits.push(s)
        }
      }
      for (const s of live) if (matches(s) && !seen.has(s.envelope.id)) hits.push(s)
      hits.sort((a, b) => (a.envelope.id < b.envelope.id ? 1 : a.envelope.id > b.envelope.id ? -1 : 0))
      return hits.slice(0, n).map((s) => s.envelope)
    })

  return Search.of({ search })
})

export const layer: Layer.Layer<Search, never, Envelopes | Broadcasts | Channels> = Layer.effect(Search, make)
