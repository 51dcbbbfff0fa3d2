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

/** What one session may see: its inbox, live broadcasts from others, its channels' history, what it sent. */
export const makeVisibility = (envelopes: EnvelopesShape, broadcasts: BroadcastsShape, channels: ChannelsShape) => {
  const idSet = (dir: string) => Effect.map(envelopes.list(dir), (names) => new Set(names))

  /** Inbox copies plus live broadcasts from others, each with its read and surfaced state; oldest first. */
  const entries = (sessionId: SessionId): Effect.Effect<ReadonlyArray<VisibleEntry>, StoreError> =>
    Effect.gen(function* () {
      const [inbox, live, read, surfaced] = yield* Effect.all([
        envelopes.readDir(Layout.inboxDir(sessionId)),
        broadcasts.live,
        idSet(Layout.readDir(sessionId)),
        idSet(Layout.surfacedDir(sessionId))
      ])
      const out: Array<VisibleEntry> = []
      for (const s of inbox)
        out.push({ envelope: s.envelope, read: read.has(s.envelope.id), surfaced: surfaced.has(s.envelope.id) })
      for (const s of live) {
        if (s.envelope.from.sessionId === sessionId) continue
        out.push({ envelope: s.envelope, read: read.has(s.envelope.id), surfaced: surfaced.has(s.envelope.id) })
      }
      return out.sort((a, b) => (a.envelope.id < b.envelope.id ? -1 : a.envelope.id > b.envelope.id ? 1 : 0))
    })

  /**
   * Unread inbox copies (broadcasts not counted), the backlog that BACKLOG_FULL guards, when it is `limit` or more;
   * none when fewer. An inbox holding fewer than `limit` copies in all is answered from its listing alone, without
   * listing the session's read markers.
   */
  const backlogReaching = (sessionId: SessionId, limit: number): Effect.Effect<Option.Option<number>, StoreError> =>
    Effect.gen(function* () {
      const inbox = (yield* envelopes.list(Layout.inboxDir(sessionId))).filter((name) => name.endsWith(".json"))
      if (inbox.length < limit) return Option.none()
      const read = yield* idSet(Layout.readDir(sessionId))
      let n = 0
      for (const name of inbox) if (!read.has(name.slice(0, -5))) n++
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

  return { entries, backlogReaching, find, thread, maySee }
}

export type Visibility = ReturnType<typeof makeVisibility>
