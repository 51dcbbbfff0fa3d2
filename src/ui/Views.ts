import * as DateTime from "effect/DateTime"
import type { ArtifactMeta, MessageEnvelope, SessionRecord } from "../domain/Records.js"
import { formatIso } from "../domain/UtcTime.js"

/** The JSON shapes the dashboard page reads. Times are ISO-8601 strings. */

export interface PartyView {
  readonly sessionId: string
  readonly label: string
  readonly provider?: string | undefined
}

export interface SessionView {
  readonly sessionId: string
  readonly label: string
  readonly provider: string
  readonly cwd: string
  readonly online: boolean
  readonly lastSeen: string
  readonly endedAt?: string | undefined
  readonly summary?: string | undefined
  readonly unread: number
}

export interface MessageView {
  readonly id: string
  readonly kind: string
  readonly from: PartyView
  readonly to: ReadonlyArray<PartyView>
  readonly channel?: string | undefined
  readonly subject: string
  readonly body: string
  readonly threadId: string
  readonly inReplyTo?: string | undefined
  readonly artifacts: ReadonlyArray<string>
  readonly createdAt: string
  readonly expiresAt?: string | undefined
  readonly origin: string
  readonly remoteFrom?: string | undefined
  /** How many messages the thread holds (1 when the message stands alone). */
  readonly threadSize: number
}

export interface BroadcastView extends MessageView {
  readonly remainingSec: number
}

export interface ChannelView {
  readonly name: string
  readonly members: ReadonlyArray<PartyView>
  readonly messages: number
  readonly lastMessageAt?: string | undefined
}

export interface ArtifactView {
  readonly sha256: string
  readonly size: number
  readonly name?: string | undefined
  readonly mimeType: string
  readonly postedBy: string
  readonly postedByLabel?: string | undefined
  readonly createdAt: string
}

const iso = (d: DateTime.Utc) => formatIso(d)

export const sessionView = (s: SessionRecord, online: boolean, unread: number): SessionView => ({
  sessionId: s.sessionId,
  label: s.label,
  provider: s.provider,
  cwd: s.cwd,
  online,
  lastSeen: iso(s.lastSeen),
  endedAt: s.endedAt === undefined ? undefined : iso(s.endedAt),
  summary: s.summary,
  unread
})

export const messageView = (m: MessageEnvelope, threadSize: number): MessageView => ({
  id: m.id,
  kind: m.kind,
  from: { sessionId: m.from.sessionId, label: m.from.label, provider: m.from.provider },
  to: m.to.map((p) => ({ sessionId: p.sessionId, label: p.label, provider: p.provider })),
  channel: m.channel,
  subject: m.subject,
  body: m.body,
  threadId: m.threadId,
  inReplyTo: m.inReplyTo,
  artifacts: [...m.artifacts],
  createdAt: iso(m.createdAt),
  expiresAt: m.expiresAt === undefined ? undefined : iso(m.expiresAt),
  origin: m.origin,
  remoteFrom: m.remoteFrom,
  threadSize
})

export const artifactView = (a: ArtifactMeta, postedByLabel: string | undefined): ArtifactView => ({
  sha256: a.sha256,
  size: a.size,
  name: a.name,
  mimeType: a.mimeType,
  postedBy: a.postedBy,
  postedByLabel,
  createdAt: iso(a.createdAt)
})
