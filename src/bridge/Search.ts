import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { InvalidArgument, type StoreError } from "../domain/Errors.js"
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
  readonly search: (
    sessionId: SessionId,
    query: string,
    limit?: number | undefined
  ) => Effect.Effect<ReadonlyArray<MessageEnvelope>, InvalidArgument | StoreError>
}

export class Search extends Context.Tag("session-bridge/Search")<Search, SearchShape>() {}

/** All texts of a candidate list joined by NUL (which no term contains), with each entry's start offset. */
interface Joined {
  readonly text: string
  readonly offsets: ReadonlyArray<number>
}

const joinedCache = new WeakMap<ReadonlyArray<StoredEnvelope>, Joined>()

const joined = (base: ReadonlyArray<StoredEnvelope>): Joined => {
  const hit = joinedCache.get(base)
  if (hit !== undefined) return hit
  const offsets: Array<number> = []
  let at = 0
  for (const s of base) {
    offsets.push(at)
    at += s.text.length + 1
  }
  const built = { text: base.map((s) => s.text).join("\u0000"), offsets }
  joinedCache.set(base, built)
  return built
}

/** The index of the entry holding position `at`: the last offset <= at. */
const entryAt = (offsets: ReadonlyArray<number>, at: number): number => {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (offsets[mid]! <= at) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * The newest `n` entries of `base` (oldest first) matching every term: the longest term is searched
 * backwards through the joined text (a native scan), and only entries holding it are checked for the rest.
 */
const newestMatches = (
  base: ReadonlyArray<StoredEnvelope>,
  terms: ReadonlyArray<string>,
  n: number,
  matches: (s: StoredEnvelope) => boolean
): Array<StoredEnvelope> => {
  const hits: Array<StoredEnvelope> = []
  if (base.length === 0) return hits
  const { text, offsets } = joined(base)
  const key = terms.reduce((a, b) => (b.length > a.length ? b : a))
  const seen = new Set<string>()
  let from = text.length
  while (hits.length < n) {
    const at = text.lastIndexOf(key, from)
    if (at < 0) break
    const i = entryAt(offsets, at)
    const s = base[i]!
    if (matches(s) && !seen.has(s.envelope.id)) {
      seen.add(s.envelope.id)
      hits.push(s)
    }
    if (offsets[i] === 0) break
    from = offsets[i]! - 2
  }
  return hits
}

export const make = Effect.gen(function* () {
  const view = makeVisibility(yield* Envelopes, yield* Broadcasts, yield* Channels)

  const search = (sessionId: SessionId, query: string, limit?: number) =>
    Effect.gen(function* () {
      const n = yield* checkLimit(limit, SEARCH_DEFAULT_LIMIT)
      const terms = query
        .toLowerCase()
        // oxlint-disable-next-line no-control-regex -- control characters (NUL separates the joined texts) are dropped
        .replace(/[\u0000-\u001f\u007f]/g, " ")
        .split(/\s+/)
        .filter((t) => t.length > 0)
      if (terms.length === 0 || query.length > MAX_QUERY_CHARS) {
        return yield* new InvalidArgument({
          message: `query must have 1-${MAX_QUERY_CHARS} characters and at least one word`,
          hint: "Search for a word or phrase from the subject or body."
        })
      }
      const { base, live } = yield* view.searchable(sessionId)
      const matches = (s: StoredEnvelope) => {
        for (const t of terms) if (!s.text.includes(t)) return false
        return true
      }
      const hits = newestMatches(base, terms, n, matches)
      const seen = new Set(hits.map((s) => s.envelope.id))
      for (const s of live) if (matches(s) && !seen.has(s.envelope.id)) hits.push(s)
      hits.sort((a, b) => (a.envelope.id < b.envelope.id ? 1 : a.envelope.id > b.envelope.id ? -1 : 0))
      return hits.slice(0, n).map((s) => s.envelope)
    })

  return Search.of({ search })
})

export const layer: Layer.Layer<Search, never, Envelopes | Broadcasts | Channels> = Layer.effect(Search, make)
