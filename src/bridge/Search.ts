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
import type { IndexedMessage } from "./SearchIndexFile.js"
import { newestMatching, termsOf } from "./SearchScan.js"

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

/** A searchable message: from a directory's index (`dir` set) or a live broadcast (its envelope at hand). */
interface Candidate {
  readonly id: string
  readonly dir: string | undefined
  readonly entry: IndexedMessage | undefined
  readonly envelope: MessageEnvelope | undefined
}

const newestFirst = (a: Candidate, b: Candidate) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

export const make = Effect.gen(function* () {
  const index = yield* SearchIndex
  const broadcasts = yield* Broadcasts
  const channels = yield* Channels
  /**
   * The newest `want` matches of the inbox and each joined channel's history, newest first (each directory scanned
   * on its own); an inbox copy of a joined channel's message is skipped, the history holds it. `saturated` when a
   * directory may hold more.
   */
  const indexed = (sessionId: SessionId, terms: ReadonlyArray<string>, want: number) =>
    Effect.gen(function* () {
      const joinedChannels = yield* channels.joined(sessionId)
      const dirs = [Layout.inboxDir(sessionId), ...joinedChannels.map((c) => Layout.channelHistoryDir(c))]
      const parts = yield* Effect.forEach(dirs, (d) => index.entries(d))
      const inChannels = new Set<string>(joinedChannels)
      const inboxCopy = (e: IndexedMessage) =>
        e.kind === "channel" && e.channel !== undefined && inChannels.has(e.channel)
      const hits: Array<Candidate> = []
      let saturated = false
      parts.forEach((part, i) => {
        const found = newestMatching(part, terms, want, i === 0 ? inboxCopy : () => false)
        if (found.length >= want) saturated = true
        for (const e of found) hits.push({ id: e.id, dir: dirs[i]!, entry: e, envelope: undefined })
      })
      return { hits, saturated }
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
      const terms = termsOf(query)
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
      const live = yield* broadcasts.live
      const out: Array<MessageEnvelope> = []
      const seen = new Set<string>()
      // A hit whose file changed or went away since it was indexed is dropped: ask for more until `n` hold.
      for (let want = n; ; want += n) {
        const { hits, saturated } = yield* indexed(sessionId, terms, want)
        for (const s of live) {
          if (s.envelope.from.sessionId === sessionId || !matches(s.text)) continue
          hits.push({ id: s.envelope.id, dir: undefined, entry: undefined, envelope: s.envelope })
        }
        hits.sort(newestFirst)
        const unique = hits.filter((h) => !seen.has(h.id) && seen.add(h.id) !== undefined).slice(0, want)
        seen.clear()
        out.length = 0
        // An envelope resolved from an index entry is the file's as that entry's text was made from it (a changed
        // file resolves to none, SearchIndex.envelopes): it matches as its entry did. A broadcast was matched above.
        for (const e of yield* resolve(unique)) {
          if (out.length >= n) break
          if (Option.isSome(e)) out.push(e.value)
        }
        if (out.length >= n || !saturated) return out
      }
    })

  return Search.of({ search })
})

export const layer: Layer.Layer<Search, never, SearchIndex | Broadcasts | Channels> = Layer.effect(Search, make)
