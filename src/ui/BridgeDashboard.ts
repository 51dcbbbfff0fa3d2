import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { Artifacts } from "../bridge/Artifacts.js"
import { Broadcasts } from "../bridge/Broadcasts.js"
import { Channels } from "../bridge/Channels.js"
import { Envelopes } from "../bridge/Envelopes.js"
import { Mailbox } from "../bridge/Mailbox.js"
import { Search } from "../bridge/Search.js"
import { Sessions } from "../bridge/Sessions.js"
import { ThreadNotFound } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import { Store } from "../services/Store.js"
import { Dashboard, type MessageFilter } from "./Dashboard.js"
import { artifactView, messageView, sessionView } from "./Views.js"

const newestFirst = (a: MessageEnvelope, b: MessageEnvelope) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/**
 * The dashboard over the domain services: an observer that sees every session's inbox, every channel
 * and every live broadcast. Search runs the tool's Search once per session and merges the hits.
 */
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
    (all) => new Map(all.map((s) => [s.record.sessionId as string, s.record.label as string]))
  )

  /** Every stored envelope once (a direct message has one copy per recipient inbox), newest first. */
  const allMessages = Effect.gen(function* () {
    const inboxes = yield* subdirs("inbox")
    const names = yield* subdirs(Layout.channelsDir)
    const groups = yield* Effect.all(
      [
        ...inboxes.map((id) => envelopes.readDir(Layout.inboxDir(id))),
        ...names.map((c) => envelopes.readDir(Layout.channelHistoryDir(c))),
        envelopes.readDir(Layout.broadcastsDir)
      ],
      { concurrency: 8 }
    )
    const byId = new Map<string, MessageEnvelope>()
    for (const group of groups) for (const s of group) if (!byId.has(s.envelope.id)) byId.set(s.envelope.id, s.envelope)
    return [...byId.values()].sort(newestFirst)
  })

  const withThreadSizes = (all: ReadonlyArray<MessageEnvelope>, pick: ReadonlyArray<MessageEnvelope>) => {
    const sizes = new Map<string, number>()
    for (const m of all) sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1)
    return pick.map((m) => messageView(m, sizes.get(m.threadId) ?? 1))
  }

  const sessionsView = Effect.gen(function* () {
    const all = yield* statuses
    const views = yield* Effect.forEach(
      all,
      (s) =>
        Effect.map(mailbox.inbox(s.record.sessionId, { limit: 1 }), (inbox) =>
          sessionView(s.record, s.online, inbox.unread)
        ),
      { concurrency: 8 }
    )
    return views.sort((a, b) => Number(b.online) - Number(a.online) || b.lastSeen.localeCompare(a.lastSeen))
  })

  const messages = (filter: MessageFilter) =>
    Effect.gen(function* () {
      const all = yield* allMessages
      const picked = all.filter(
        (m) =>
          (filter.kind === undefined || m.kind === filter.kind) &&
          (filter.channel === undefined || m.channel === filter.channel) &&
          (filter.session === undefined ||
            m.from.sessionId === filter.session ||
            m.to.some((p) => p.sessionId === filter.session))
      )
      return withThreadSizes(all, picked.slice(0, filter.limit))
    })

  /** A thread by its id, or by the id of any message in it; oldest first. */
  const thread = (id: string) =>
    Effect.gen(function* () {
      let paths = yield* envelopes.threadPaths(id)
      if (paths.length === 0) {
        const ref = yield* envelopes.ref(id)
        if (Option.isSome(ref)) paths = yield* envelopes.threadPaths(ref.value.threadId)
      }
      const found = (yield* Effect.forEach(paths, envelopes.read, { concurrency: 16 })).flatMap(Option.toArray)
      if (found.length === 0) return yield* new ThreadNotFound({ message: `no thread or message ${id.slice(0, 40)}` })
      const ordered = [...found].sort(newestFirst).reverse()
      return ordered.map((m) => messageView(m, ordered.length))
    })

  const broadcastsView = Effect.gen(function* () {
    const now = yield* DateTime.now
    const live = yield* broadcasts.live
    return live
      .map((s) => s.envelope)
      .sort(newestFirst)
      .map((b) => ({
        ...messageView(b, 1),
        remainingSec:
          b.expiresAt === undefined
            ? 0
            : Math.max(0, Math.round(Duration.toSeconds(DateTime.distanceDuration(now, b.expiresAt))))
      }))
  })

  const channelsView = Effect.gen(function* () {
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
          name: channel as string,
          members: members.map((sessionId) => ({ sessionId, label: byId.get(sessionId) ?? "(unknown)" })),
          messages: files.length,
          lastMessageAt: Option.match(lastMessage, {
            onNone: () => undefined,
            onSome: (m) => DateTime.formatIso(m.createdAt)
          })
        }
      })
    )
  })

  const artifactsView = Effect.gen(function* () {
    const names = yield* store.list(Layout.artifactsDir)
    const shas = names.filter((n) => n.endsWith(".meta.json")).map((n) => n.slice(0, -".meta.json".length))
    const byId = yield* labels
    const metas = yield* Effect.forEach(shas, (sha) => Effect.option(artifacts.meta(sha)), { concurrency: 16 })
    return metas
      .flatMap(Option.toArray)
      .map((a) => artifactView(a, byId.get(a.postedBy)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  })

  const artifact = (sha256: string) =>
    Effect.gen(function* () {
      const meta = yield* artifacts.meta(sha256)
      const bytes = yield* artifacts.bytes(sha256)
      const byId = yield* labels
      return { view: artifactView(meta, byId.get(meta.postedBy)), bytes }
    })

  /** The tool's search as every session at once: the union of what each may see, newest first. */
  const searchAll = (query: string, limit: number) =>
    Effect.gen(function* () {
      const all = yield* statuses
      const hits = yield* Effect.forEach(all, (s) => search.search(s.record.sessionId, query, limit), {
        concurrency: 4
      })
      const byId = new Map<string, MessageEnvelope>()
      for (const group of hits) for (const m of group) if (!byId.has(m.id)) byId.set(m.id, m)
      const found = [...byId.values()].sort(newestFirst).slice(0, limit)
      return withThreadSizes(yield* allMessages, found)
    })

  return Dashboard.of({
    sessions: sessionsView,
    messages,
    thread,
    broadcasts: broadcastsView,
    channels: channelsView,
    artifacts: artifactsView,
    artifact,
    search: searchAll
  })
})

export const layer: Layer.Layer<
  Dashboard,
  never,
  Store | Sessions | Mailbox | Broadcasts | Channels | Artifacts | Envelopes | Search
> = Layer.effect(Dashboard, make)
