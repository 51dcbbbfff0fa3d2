import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { InvalidArgument, type StoreError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { Broadcasts } from "./Broadcasts.js"
import { Channels } from "./Channels.js"
import { checkLimit } from "./Checks.js"
import { SEARCH_DEFAULT_LIMIT } from "./Limits.js"
import { SearchIndex } from "./SearchIndex.js"
import { type IndexedMessage, searchText } from "./SearchIndexFile.js"

export const MAX_QUERY_CHARS = 200

/**
 * Case-insensitive search over subject and body of what a session may see: its inbox, the history of the
 * channels it joined, and live broadcasts. Every whitespace-separated term must occur. Newest first.
 * The inbox and channel histories are searched through their indexes (SearchIndex); each hit is decoded from its
 * file before it is returned.
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

/** A searchable message: from a directory's index (`dir` set) or a live broadcast (its envelope at hand). */
interface Candidate {
  readonly id: string
  readonly text: string
  readonly dir: string | undefined
  readonly entry: IndexedMessage | undefined
  readonly envelope: MessageEnvelope | undefined
}

const joinedCache = new WeakMap<ReadonlyArray<Candidate>, Joined>()

const joined = (base: ReadonlyArray<Candidate>): Joined => {
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
 * The newest `n` entries of `base` (newest first) matching every term: the longest term is searched backwards
 * through the joined text (a native scan), and only entries holding it are checked for the rest.
 */
const newestMatches = (
  base: ReadonlyArray<Candidate>,
  terms: ReadonlyArray<string>,
  n: number,
  matches: (text: string) => boolean
): Array<Candidate> => {
  const hits: Array<Candidate> = []
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
    if (matches(s.text) && !seen.has(s.id)) {
      seen.add(s.id)
      hits.push(s)
    }
    if (offsets[i] === 0) break
    from = offsets[i]! - 2
  }
  return hits
}

const newestFirst = (a: Candidate, b: Candidate) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

export const make = Effect.gen(function* () {
  const index = yield* SearchIndex
  const broadcasts = yield* Broadcasts
  const channels = yield* Channels
  /** Per session: the inbox and channel-history candidates, rebuilt only when one of those indexes changed. */
  const bases = new Map<
    string,
    { readonly parts: ReadonlyArray<ReadonlyArray<IndexedMessage>>; readonly out: ReadonlyArray<Candidate> }
  >()

  /**
   * The inbox and the joined channels' history, oldest first by id; an inbox copy of a joined channel's message is
   * skipped, the history holds it.
   */
  const baseOf = (sessionId: SessionId) =>
    Effect.gen(function* () {
      const joinedChannels = yield* channels.joined(sessionId)
      const dirs = [Layout.inboxDir(sessionId), ...joinedChannels.map((c) => Layout.channelHistoryDir(c))]
      const parts = yield* Effect.forEach(dirs, (d) => index.entries(d))
      const cached = bases.get(sessionId)
      if (cached !== undefined && cached.parts.length === parts.length && cached.parts.every((p, i) => p === parts[i]))
        return cached.out
      const inChannels = new Set<string>(joinedChannels)
      const out: Array<Candidate> = []
      parts.forEach((part, i) => {
        const dir = dirs[i]!
        for (const e of part) {
          if (i === 0 && e.kind === "channel" && e.channel !== undefined && inChannels.has(e.channel)) continue
          out.push({ id: e.id, text: e.text, dir, entry: e, envelope: undefined })
        }
      })
      if (parts.length > 1) out.sort((a, b) => -newestFirst(a, b))
      bases.set(sessionId, { parts, out })
      return out
    })

  /** The envelopes of `hits` (those from an index decoded from their files in one go), in order. */
  const resolve = (hits: ReadonlyArray<Candidate>) =>
    Effect.map(
      index.envelopes(
        hits.flatMap((c) => (c.dir !== undefined && c.entry !== undefined ? [{ dir: c.dir, entry: c.entry }] : []))
      ),
      (fromIndex) => {
        let k = 0
        return hits.map((c) => (c.envelope !== undefined ? Option.some(c.envelope) : fromIndex[k++]!))
      }
    )

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
      const matches = (text: string) => {
        for (const t of terms) if (!text.includes(t)) return false
        return true
      }
      const [base, live] = yield* Effect.all([baseOf(sessionId), broadcasts.live])
      const out: Array<MessageEnvelope> = []
      const seen = new Set<string>()
      // A hit whose file changed or went away since it was indexed is dropped: ask for more until `n` hold.
      for (let want = n; ; want += n) {
        const hits = newestMatches(base, terms, want, matches)
        for (const s of live) {
          if (s.envelope.from.sessionId === sessionId || !matches(s.text)) continue
          hits.push({ id: s.envelope.id, text: s.text, dir: undefined, entry: undefined, envelope: s.envelope })
        }
        hits.sort(newestFirst)
        const unique = hits.filter((h) => !seen.has(h.id) && seen.add(h.id) !== undefined).slice(0, want)
        seen.clear()
        out.length = 0
        let dropped = false
        for (const e of yield* resolve(unique)) {
          if (out.length >= n) break
          if (Option.isSome(e) && matches(searchText(e.value))) out.push(e.value)
          else dropped = true
        }
        if (!dropped || out.length >= n || hits.length < want) return out
      }
    })

  return Search.of({ search })
})

export const layer: Layer.Layer<Search, never, SearchIndex | Broadcasts | Channels> = Layer.effect(Search, make)
