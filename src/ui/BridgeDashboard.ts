import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { DashboardQueries, type MessageOverview } from "../bridge/DashboardQueries.js"
import { formatIso } from "../domain/UtcTime.js"
import { Dashboard } from "./Dashboard.js"
import { artifactView, messageView, sessionView } from "./Views.js"

const views = (found: ReadonlyArray<MessageOverview>) => found.map((m) => messageView(m.envelope, m.threadSize))

/**
 * The dashboard over the domain's dashboard queries: an observer that sees every session's inbox, every channel
 * and every live broadcast, shaped as the page's JSON.
 */
export const make = Effect.gen(function* () {
  const queries = yield* DashboardQueries

  const broadcasts = Effect.gen(function* () {
    const now = yield* DateTime.now
    return (yield* queries.broadcasts).map((b) => ({
      ...messageView(b, 1),
      remainingSec:
        b.expiresAt === undefined
          ? 0
          : Math.max(0, Math.round(Duration.toSeconds(DateTime.distanceDuration(now, b.expiresAt))))
    }))
  })

  const channels = Effect.map(queries.channels, (all) =>
    all.map((c) => ({
      name: c.channel as string,
      members: c.members.map((m) => ({ sessionId: m.sessionId, label: m.label ?? "(unknown)" })),
      messages: c.messages,
      lastMessageAt: Option.match(c.lastMessage, {
        onNone: () => undefined,
        onSome: (m) => formatIso(m.createdAt)
      })
    }))
  )

  return Dashboard.of({
    sessions: Effect.map(queries.sessions, (all) => all.map((s) => sessionView(s.record, s.online, s.unread))),
    messages: (filter) => Effect.map(queries.messages(filter), views),
    thread: (id) => Effect.map(queries.thread(id), (found) => found.map((m) => messageView(m, found.length))),
    broadcasts,
    channels,
    artifacts: Effect.map(queries.artifacts, (all) => all.map((a) => artifactView(a.meta, a.postedByLabel))),
    artifact: (sha256) =>
      Effect.map(queries.artifact(sha256), ({ artifact, bytes }) => ({
        view: artifactView(artifact.meta, artifact.postedByLabel),
        bytes
      })),
    search: (query, limit) => Effect.map(queries.search(query, limit), views)
  })
})

export const layer: Layer.Layer<Dashboard, never, DashboardQueries> = Layer.effect(Dashboard, make)
