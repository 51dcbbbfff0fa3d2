import { DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { bridgeError, type StoreError, toBridgeError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { ArtifactMeta, MessageEnvelope, SessionRecord } from "../domain/Records.js"
import { readAllJson, readJson } from "../services/Documents.js"
import { Store } from "../services/Store.js"
import { Dashboard, LIVE_WINDOW, type MessageFilter } from "./Dashboard.js"
import { artifactView, messageView, sessionView } from "./Views.js"

const Members = Schema.Struct({
  members: Schema.Array(Schema.Struct({ sessionId: Schema.String, label: Schema.optional(Schema.String) }))
})

/** The dashboard read straight from the record files under the home. */
export const make = Effect.gen(function* () {
  const store = yield* Store
  const provide = <A, E>(effect: Effect.Effect<A, E, Store>) => Effect.provideService(effect, Store, store)
  const fail = <A, R>(effect: Effect.Effect<A, StoreError, R>) => Effect.mapError(effect, toBridgeError)

  const subdirs = (dir: string) =>
    store.list(dir).pipe(Effect.map((names) => names.filter((n) => !n.endsWith(".json"))))

  const allSessions = provide(readAllJson(Layout.sessionsDir, SessionRecord))

  /** Every stored envelope once (a direct message sits in each recipient's inbox). */
  const allMessages = Effect.gen(function* () {
    const inboxes = yield* subdirs("inbox")
    const channels = yield* subdirs(Layout.channelsDir)
    const groups = yield* Effect.all(
      [
        ...inboxes.map((id) => readAllJson(Layout.inboxDir(id), MessageEnvelope)),
        ...channels.map((c) => readAllJson(Layout.channelHistoryDir(c), MessageEnvelope)),
        readAllJson(Layout.broadcastsDir, MessageEnvelope)
      ],
      { concurrency: 8 }
    ).pipe(provide)
    const byId = new Map<string, MessageEnvelope>()
    for (const m of groups.flat()) if (!byId.has(m.id)) byId.set(m.id, m)
    return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  })

  const threadSizes = (messages: ReadonlyArray<MessageEnvelope>) => {
    const sizes = new Map<string, number>()
    for (const m of messages) sizes.set(m.threadId, (sizes.get(m.threadId) ?? 0) + 1)
    return sizes
  }
  const views = (all: ReadonlyArray<MessageEnvelope>, pick: ReadonlyArray<MessageEnvelope>) => {
    const sizes = threadSizes(all)
    return pick.map((m) => messageView(m, sizes.get(m.threadId) ?? 1))
  }

  const isLive = (m: MessageEnvelope, now: DateTime.Utc) =>
    m.expiresAt === undefined || DateTime.lessThan(now, m.expiresAt)

  const unreadOf = (sessionId: string, live: ReadonlyArray<MessageEnvelope>) =>
    Effect.gen(function* () {
      const inbox = (yield* store.list(Layout.inboxDir(sessionId))).filter((n) => n.endsWith(".json"))
      const read = new Set(yield* store.list(Layout.readDir(sessionId)))
      const direct = inbox.filter((n) => !read.has(n.slice(0, -5))).length
      const broadcasts = live.filter((b) => b.from.sessionId !== sessionId && !read.has(b.id)).length
      return direct + broadcasts
    })

  const liveBroadcasts = Effect.gen(function* () {
    const now = yield* DateTime.now
    const all = yield* provide(readAllJson(Layout.broadcastsDir, MessageEnvelope))
    return all.filter((b) => isLive(b, now))
  })

  const sessions = Effect.gen(function* () {
    const now = yield* DateTime.now
    const records = yield* allSessions
    const live = yield* liveBroadcasts
    const out = yield* Effect.forEach(records, (s) =>
      Effect.map(unreadOf(s.sessionId, live), (unread) => {
        const online =
          s.endedAt === undefined && DateTime.lessThanOrEqualTo(now, DateTime.addDuration(s.lastSeen, LIVE_WINDOW))
        return sessionView(s, online, unread)
      })
    )
    return out.sort((a, b) => Number(b.online) - Number(a.online) || b.lastSeen.localeCompare(a.lastSeen))
  }).pipe(fail)

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
      return views(all, picked.slice(0, filter.limit))
    }).pipe(fail)

  const thread = (threadId: string) =>
    Effect.gen(function* () {
      const all = yield* allMessages
      const picked = all.filter((m) => m.threadId === threadId || m.id === threadId).reverse()
      if (picked.length === 0) return yield* bridgeError("THREAD_NOT_FOUND", `no thread ${threadId}`)
      const root = picked[0]!.threadId
      return views(all, all.filter((m) => m.threadId === root).reverse())
    }).pipe(Effect.catchTag("StoreError", (e) => Effect.fail(toBridgeError(e))))

  const broadcasts = Effect.gen(function* () {
    const now = yield* DateTime.now
    const live = yield* liveBroadcasts
    return live
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .map((b) => ({
        ...messageView(b, 1),
        remainingSec:
          b.expiresAt === undefined
            ? 0
            : Math.max(0, Math.round(Duration.toSeconds(DateTime.distanceDuration(now, b.expiresAt))))
      }))
  }).pipe(fail)

  const channels = Effect.gen(function* () {
    const names = yield* subdirs(Layout.channelsDir)
    const labels = new Map((yield* allSessions).map((s) => [s.sessionId as string, s.label as string]))
    return yield* Effect.forEach(names, (name) =>
      Effect.gen(function* () {
        const members = yield* provide(readJson(Layout.channelMembers(name), Members))
        const history = (yield* store.list(Layout.channelHistoryDir(name))).filter((n) => n.endsWith(".json"))
        const last = history.at(-1)
        const lastMessage =
          last === undefined
            ? Option.none()
            : yield* provide(readJson(`${Layout.channelHistoryDir(name)}/${last}`, MessageEnvelope))
        return {
          name,
          members: Option.match(members, {
            onNone: () => [],
            onSome: (m) =>
              m.members.map((p) => ({
                sessionId: p.sessionId,
                label: p.label ?? labels.get(p.sessionId) ?? p.sessionId
              }))
          }),
          messages: history.length,
          lastMessageAt: Option.match(lastMessage, {
            onNone: () => undefined,
            onSome: (m) => DateTime.formatIso(m.createdAt)
          })
        }
      })
    )
  }).pipe(fail)

  const artifacts = Effect.gen(function* () {
    const metas = yield* provide(readAllJson(Layout.artifactsDir, ArtifactMeta))
    const labels = new Map((yield* allSessions).map((s) => [s.sessionId as string, s.label as string]))
    return metas
      .map((a) => artifactView(a, labels.get(a.postedBy)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }).pipe(fail)

  const artifact = (sha256: string) =>
    Effect.gen(function* () {
      if (!/^[0-9a-f]{64}$/.test(sha256))
        return yield* bridgeError("INVALID_ARGUMENT", "a sha256 is 64 lowercase hex characters")
      const meta = yield* provide(readJson(Layout.artifactMeta(sha256), ArtifactMeta))
      const bytes = yield* store.read(Layout.artifactBytes(sha256))
      if (Option.isNone(meta) || Option.isNone(bytes))
        return yield* bridgeError("ARTIFACT_NOT_FOUND", `no artifact ${sha256}`)
      const labels = new Map((yield* allSessions).map((s) => [s.sessionId as string, s.label as string]))
      return { view: artifactView(meta.value, labels.get(meta.value.postedBy)), bytes: bytes.value }
    }).pipe(Effect.catchTag("StoreError", (e) => Effect.fail(toBridgeError(e))))

  const search = (query: string, limit: number) =>
    Effect.gen(function* () {
      const all = yield* allMessages
      const words = query
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== "")
      const hit = all.filter((m) => {
        const text = `${m.subject}\n${m.body}\n${m.from.label}\n${m.channel ?? ""}`.toLowerCase()
        return words.every((w) => text.includes(w))
      })
      return views(all, hit.slice(0, limit))
    }).pipe(fail)

  return Dashboard.of({ sessions, messages, thread, broadcasts, channels, artifacts, artifact, search })
})

export const layer: Layer.Layer<Dashboard, never, Store> = Layer.effect(Dashboard, make)
