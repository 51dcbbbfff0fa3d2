import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { StoreError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import type { BroadcastsShape } from "./Broadcasts.js"
import type { ChannelsShape } from "./Channels.js"
import type { EnvelopesShape } from "./Envelopes.js"

export interface VisibleEntry {
  readonly envelope: MessageEnvelope
  readonly read: boolean
  readonly surfaced: boolean
}

/** An entry an inbox page may show: an inbox copy by its path, or a live broadcast with its envelope at hand. */
interface PageCandidate {
  readonly id: string
  readonly path?: string
  readonly envelope?: MessageEnvelope
}

/**
 * The names of a directory's listing as a set, kept with that listing: `Envelopes.list` hands out the same array
 * while the directory is unchanged, so a session's read markers are not put into a new set on every send and every
 * inbox page.
 */
const setsMade = new WeakMap<ReadonlyArray<string>, ReadonlySet<string>>()
const setOf = (names: ReadonlyArray<string>): ReadonlySet<string> => {
  let set = setsMade.get(names)
  if (set === undefined) {
    set = new Set(names)
    setsMade.set(names, set)
  }
  return set
}

/** What one session may see: its inbox, live broadcasts from others, its channels' history, what it sent. */
export const makeVisibility = (envelopes: EnvelopesShape, broadcasts: BroadcastsShape, channels: ChannelsShape) => {
  const idSet = (dir: string) => Effect.map(envelopes.list(dir), setOf)

  /**
   * A page of what `bridge_list_inbox` shows: the newest `limit` of the inbox copies and live broadcasts from others
   * (only the unread ones unless `all`), newest first, each with its read and surfaced state, and how many of them
   * all are unread. Chosen by file name (an inbox copy is `<id>.json`) against the read markers, so only the
   * entries shown are decoded: a fresh process with a large inbox reads `limit` files, not all of them. A copy
   * that does not decode is left out (and the next older one shown), and not counted.
   */
  const inboxPage = (
    sessionId: SessionId,
    all: boolean,
    limit: number
  ): Effect.Effect<{ readonly entries: ReadonlyArray<VisibleEntry>; readonly unread: number }, StoreError> =>
    Effect.gen(function* () {
      const dir = Layout.inboxDir(sessionId)
      const [names, live, read, surfaced] = yield* Effect.all([
        envelopes.list(dir),
        broadcasts.live,
        idSet(Layout.readDir(sessionId)),
        idSet(Layout.surfacedDir(sessionId))
      ])
      const unreadName = (name: string) => name.endsWith(".json") && !read.has(name.slice(0, -5))
      const others = live.flatMap((s) => (s.envelope.from.sessionId === sessionId ? [] : [s.envelope]))
      let unread = others.filter((e) => !read.has(e.id)).length
      for (const name of names) if (unreadName(name)) unread++
      others.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      // Newest first: the inbox's names are sorted (a copy is `<id>.json`), the broadcasts merged in by id.
      let i = names.length - 1
      let j = others.length - 1
      const next = (): PageCandidate | undefined => {
        while (i >= 0 && !(all ? names[i]!.endsWith(".json") : unreadName(names[i]!))) i--
        while (j >= 0 && !all && read.has(others[j]!.id)) j--
        const name = i >= 0 ? names[i]! : undefined
        const id = name?.slice(0, -5)
        if (j >= 0 && (id === undefined || others[j]!.id > id)) return { id: others[j]!.id, envelope: others[j--]! }
        if (name === undefined || id === undefined) return undefined
        i--
        return { id, path: `${dir}/${name}` }
      }
      const entries: Array<VisibleEntry> = []
      // Decoding only as many as are still wanted; one that does not decode makes room for an older one.
      for (;;) {
        const batch: Array<PageCandidate> = []
        for (let c: PageCandidate | undefined; batch.length + entries.length < limit && (c = next()) !== undefined;)
          batch.push(c)
        if (batch.length === 0) break
        const decoded = yield* envelopes.readMany(batch.flatMap((c) => (c.path === undefined ? [] : [c.path])))
        let k = 0
        for (const c of batch) {
          const envelope = c.envelope ?? Option.getOrUndefined(decoded[k++]!)
          if (envelope === undefined) {
            if (!read.has(c.id)) unread--
            continue
          }
          entries.push({ envelope, read: read.has(envelope.id), surfaced: surfaced.has(envelope.id) })
        }
        if (entries.length >= limit) break
      }
      return { entries, unread }
    })

  /**
   * Unread inbox copies (broadcasts not counted), the backlog that BACKLOG_FULL guards, when it is `limit` or more;
   * none when fewer. An inbox holding fewer than `limit` copies in all is answered from its listing alone, without
   * listing the session's read markers.
   */
  const backlogReaching = (sessionId: SessionId, limit: number): Effect.Effect<Option.Option<number>, StoreError> =>
    Effect.gen(function* () {
      const inbox = yield* envelopes.list(Layout.inboxDir(sessionId))
      let copies = 0
      for (const name of inbox) if (name.endsWith(".json")) copies++
      if (copies < limit) return Option.none()
      const read = yield* idSet(Layout.readDir(sessionId))
      let n = 0
      for (const name of inbox) if (name.endsWith(".json") && !read.has(name.slice(0, -5))) n++
      return n >= limit ? Option.some(n) : Option.none()
    })

  const maySee = (sessionId: SessionId, e: MessageEnvelope): Effect.Effect<boolean, StoreError> => {
    if (e.from.sessionId === sessionId || e.to.some((p) => p.sessionId === sessionId)) return Effect.succeed(true)
    if (e.kind === "broadcast") return Effect.map(broadcasts.get(e.id), Option.isSome)
    if (e.kind === "channel" && e.channel !== undefined) {
      const channel = e.channel
      return Effect.map(channels.members(channel), (m) => m.includes(sessionId))
    }
    return Effect.succeed(false)
  }

  /** A message this session may see, by id: its inbox copy, a live broadcast, or the canonical copy via refs. */
  const find = (sessionId: SessionId, id: string): Effect.Effect<Option.Option<MessageEnvelope>, StoreError> =>
    Effect.gen(function* () {
      if (!/^[0-9A-Z]{26}$/.test(id)) return Option.none()
      const own = yield* envelopes.read(Layout.inboxMessage(sessionId, id))
      if (Option.isSome(own)) return own
      const broadcast = yield* broadcasts.get(id)
      if (Option.isSome(broadcast)) return broadcast
      const ref = yield* envelopes.ref(id)
      if (Option.isNone(ref)) return Option.none()
      const canonical = yield* envelopes.read(ref.value.path)
      if (Option.isNone(canonical)) return Option.none()
      return (yield* maySee(sessionId, canonical.value)) ? canonical : Option.none()
    })

  /** Every message of a thread this session may see, oldest first. */
  const thread = (sessionId: SessionId, threadId: string): Effect.Effect<ReadonlyArray<MessageEnvelope>, StoreError> =>
    Effect.gen(function* () {
      const paths = yield* envelopes.threadPaths(threadId)
      const found = yield* Effect.forEach(paths, (p) => envelopes.read(p))
      const visible = yield* Effect.filter(found.flatMap(Option.toArray), (e) => maySee(sessionId, e))
      return visible.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    })

  return { inboxPage, backlogReaching, find, thread, maySee }
}

export type Visibility = ReturnType<typeof makeVisibility>
