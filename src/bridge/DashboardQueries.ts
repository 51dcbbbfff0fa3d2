import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type BridgeFailure, ThreadNotFound } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { ArtifactMeta, MessageEnvelope, MessageKind, SessionRecord } from "../domain/Records.js"
import type { ChannelName } from "../domain/Names.js"
import type { SessionId } from "../domain/Ulid.js"
import { Store } from "../services/store/Store.js"
import { Artifacts } from "./Artifacts.js"
import { Broadcasts } from "./Broadcasts.js"
import { Channels } from "./Channels.js"
import { Envelopes } from "./Envelopes.js"
import { Mailbox } from "./Mailbox.js"
import { Search } from "./Search.js"
import { Sessions } from "./Sessions.js"

export interface SessionOverview {
  readonly record: SessionRecord
  readonly online: boolean
  readonly unread: number
}

/** A message with the number of messages its thread holds (1 when it stands alone). */
export interface MessageOverview {
  readonly envelope: MessageEnvelope
  readonly threadSize: number
}

export interface MessageQuery {
  /** Sent by or to this session. */
  readonly session?: string | undefined
  readonly channel?: string | undefined
  readonly kind?: MessageKind | undefined
  readonly limit: number
}

export interface ChannelOverview {
  readonly channel: ChannelName
  readonly members: ReadonlyArray<{ readonly sessionId: SessionId; readonly label: string | undefined }>
  readonly messages: number
  readonly lastMessage: Option.Option<MessageEnvelope>
}

/** An artifact's meta with the label of the session that posted it, when that session is known. */
export interface ArtifactOverview {
  readonly meta: ArtifactMeta
  readonly postedByLabel: string | undefined
}

/**
 * The whole store as an observer sees it (the dashboard): every session's inbox, every channel, every live
 * broadcast and artifact. Only reads; messages stored in several inboxes count once.
 */
export interface DashboardQueriesShape {
  /** Online sessions first, then by last seen, newest first; with their unread counts. */
  readonly sessions: Effect.Effect<ReadonlyArray<SessionOverview>, BridgeFailure>
  /** Newest first, at most `limit`. */
  readonly messages: (query: MessageQuery) => Effect.Effect<ReadonlyArray<MessageOverview>, BridgeFailure>
  /** A thread by its id, or by the id of any message in it; oldest first. THREAD_NOT_FOUND when empty. */
  readonly thread: (id: string) => Effect.Effect<ReadonlyArray<MessageEnvelope>, BridgeFailure>
  /** Live broadcasts, newest first. */
  readonly broadcasts: Effect.Effect<ReadonlyArray<MessageEnvelope>, BridgeFailure>
  /** Every channel whose name is valid, by name. */
  readonly channels: Effect.Effect<ReadonlyArray<ChannelOverview>, BridgeFailure>
  /** Artifacts with a readable meta, newest first. */
  readonly artifacts: Effect.Effect<ReadonlyArray<ArtifactOverview>, BridgeFailure>
  readonly artifact: (
    sha256: string
  ) => Effect.Effect<{ readonly artifact: ArtifactOverview; readonly bytes: Uint8Array }, BridgeFailure>
  /** The search tool as every session at once: the union of what each may see, newest first. */
  readonly search: (query: string, limit: number) => Effect.Effect<ReadonlyArray<MessageOverview>, BridgeFailure>
}

export class DashboardQueries extends Context.Tag("session-bridge/DashboardQueries")<
  DashboardQueries,
  DashboardQueriesShape
>() {}

const newestFirst = (a: MessageEnvelope, b: MessageEnvelope) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/** One message per id, newest first (a direct message has one copy per recipient inbox). */
const distinct = (groups: ReadonlyArray<ReadonlyArray<MessageEnvelope>>) => {
  const byId = new Map<string, MessageEnvelope>()
  for (const group of groups) for (const m of group) if (!byId.has(m.id)) byId.set(m.id, m)
  return [...byId.values()].sort(newestFirst)
}

const META_SUFFIX = ".meta.json"

export const make = Effect.gen(function* () {
  const store = yield* Store
  const sessions = yield* Sessions
  const mailbox = yield* Mailbox
  const broadcasts = yield* Broadcasts
  const channels = yield* Channels
  const artifacts = yield* Artifacts
  const envelopes = yield* Envelopes
  const search = yield* Search

  /** Directory names under `dir` that are not record files. */
  const subdirs = (dir: string) =>
    store.list(dir).pipe(Effect.map((names) => names.filter((n) => !n.includes(".json"))))

  const statuses = sessions.list({ includeOffline: true })
  const labels = Effect.map(
    statuses,
    (all) => new Map<string, string>(all.map((s) => [s.record.sessionId, s.record.label]))
  )

  /** Every stored envelope once, newest first. */
  const allMessages = Effect.gen(function* () {
    const inboxes = yield* subdirs(Layout.inboxesDir)
    const names = yield* subdirs(Layout.channelsDir)
    const groups = yield* Effect.all(
      [
        ...inboxes.map((id) => envelopes.readDir(Layout.inboxDir(id))),
        ...names.map((c) => envelopes.readDir(Layout.channelHistoryDir(c))),
        envelopes.readDir(Layout.broadcastsDir)
      ],
      { concurrency: 8 }
    )
    return distinct(groups.map((g) => g.map((s) => s.envelope)))
  })

  const withThreadSizes = (all: ReadonlyArray<MessageEnvelope>, pick: ReadonlyArray<MessageEnvelope>) => {
    const sizes = new Map<string, number>()
    for (const m of all) sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1)
    return pick.map((envelope): MessageOverview => ({ envelope, threadSize: sizes.get(envelope.threadId) ?? 1 }))
  }

  const sessionsOverview = Effect.gen(function* () {
    const all = yield* statuses
    const found = yield* Effect.forEach(
      all,
      (s) =>
        Effect.map(mailbox.inbox(s.record.sessionId, { limit: 1 }), (inbox): SessionOverview => ({
          record: s.record,
          online: s.online,
          unread: inbox.unread
        })),
      { concurrency: 8 }
    )
    return found.sort(
      (a, b) => Number(b.online) - Number(a.online) || b.record.lastSeen.epochMillis - a.record.lastSeen.epochMillis
    )
  })

  const messages = (query: MessageQuery) =>
    Effect.map(allMessages, (all) => {
      const picked = all.filter(
        (m) =>
          (query.kind === undefined || m.kind === query.kind) &&
          (query.channel === undefined || m.channel === query.channel) &&
          (query.session === undefined ||
            m.from.sessionId === query.session ||
            m.to.some((p) => p.sessionId === query.session))
      )
      return withThreadSizes(all, picked.slice(0, query.limit))
    })

  const thread = (id: string) =>
    Effect.gen(function* () {
      // A message's ref names its thread (a thread's first message is its own thread).
      const ref = yield* envelopes.ref(id)
      const paths = yield* envelopes.threadPaths(Option.match(ref, { onNone: () => id, onSome: (r) => r.threadId }))
      const found = (yield* Effect.forEach(paths, envelopes.read, { concurrency: 16 })).flatMap(Option.toArray)
      if (found.length === 0) return yield* new ThreadNotFound({ message: `no thread or message ${id.slice(0, 40)}` })
      return [...found].sort(newestFirst).reverse()
    })

  const channelsOverview = Effect.gen(function* () {
    const names = yield* subdirs(Layout.channelsDir)
    const valid = (yield* Effect.forEach(names, (n) => Effect.option(channels.parse(n)))).flatMap(Option.toArray)
    const byId = yield* labels
    return yield* Effect.forEach(valid, (channel) =>
      Effect.gen(function* () {
        const members = yield* channels.members(channel)
        const history = yield* envelopes.list(Layout.channelHistoryDir(channel))
        const files = history.filter((n) => n.endsWith(".json"))
        const last = files.at(-1)
        const lastMessage =
          last === undefined ? Option.none() : yield* envelopes.read(`${Layout.channelHistoryDir(channel)}/${last}`)
        return {
          channel,
          members: members.map((sessionId) => ({ sessionId, label: byId.get(sessionId) })),
          messages: files.length,
          lastMessage
        } satisfies ChannelOverview
      })
    )
  })

  const artifactsOverview = Effect.gen(function* () {
    const names = yield* store.list(Layout.artifactsDir)
    const shas = names.filter((n) => n.endsWith(META_SUFFIX)).map((n) => n.slice(0, -META_SUFFIX.length))
    const byId = yield* labels
    const metas = yield* Effect.forEach(shas, (sha) => Effect.option(artifacts.meta(sha)), { concurrency: 16 })
    return metas
      .flatMap(Option.toArray)
      .map((meta): ArtifactOverview => ({ meta, postedByLabel: byId.get(meta.postedBy) }))
      .sort((a, b) => b.meta.createdAt.epochMillis - a.meta.createdAt.epochMillis)
  })

  const artifact = (sha256: string) =>
    Effect.gen(function* () {
      const meta = yield* artifacts.meta(sha256)
      const bytes = yield* artifacts.bytes(sha256)
      const byId = yield* labels
      return { artifact: { meta, postedByLabel: byId.get(meta.postedBy) }, bytes }
    })

  const searchAll = (query: string, limit: number) =>
    Effect.gen(function* () {
      const all = yield* statuses
      const hits = yield* Effect.forEach(all, (s) => search.search(s.record.sessionId, query, limit), {
        concurrency: 4
      })
      return withThreadSizes(yield* allMessages, distinct(hits).slice(0, limit))
    })

  return DashboardQueries.of({
    sessions: sessionsOverview,
    messages,
    thread,
    broadcasts: Effect.map(broadcasts.live, (live) => live.map((s) => s.envelope).sort(newestFirst)),
    channels: channelsOverview,
    artifacts: artifactsOverview,
    artifact,
    search: searchAll
  })
})

export const layer: Layer.Layer<
  DashboardQueries,
  never,
  Store | Sessions | Mailbox | Broadcasts | Channels | Artifacts | Envelopes | Search
> = Layer.effect(DashboardQueries, make)
