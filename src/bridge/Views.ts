import * as DateTime from "effect/DateTime"
import type { ArtifactMeta, MessageEnvelope, Party, SessionRecord } from "../domain/Records.js"
import type { SessionStatus } from "./Sessions.js"
import type { VisibleEntry } from "./Visibility.js"

/** Plain JSON shapes of domain records, as tool results, CLI --json output and the UI show them. */

const iso = (t: DateTime.Utc): string => DateTime.formatIso(t)

export const partyView = (p: Party) => ({ sessionId: p.sessionId, label: p.label })

export const sessionView = (s: SessionStatus) => ({
  sessionId: s.record.sessionId,
  label: s.record.label,
  cwd: s.record.cwd,
  provider: s.record.provider,
  lastSeen: iso(s.record.lastSeen),
  online: s.online,
  ...(s.record.summary !== undefined ? { summary: s.record.summary } : {})
})

export const whoamiView = (r: SessionRecord) => ({
  sessionId: r.sessionId,
  label: r.label,
  cwd: r.cwd,
  provider: r.provider,
  ...(r.summary !== undefined ? { summary: r.summary } : {})
})

/** The fields that locate a message: shared by every listing. */
const headView = (e: MessageEnvelope) => ({
  id: e.id,
  kind: e.kind,
  from: partyView(e.from),
  ...(e.channel !== undefined ? { channel: `#${e.channel}` } : {}),
  subject: e.subject,
  createdAt: iso(e.createdAt),
  threadId: e.threadId,
  ...(e.expiresAt !== undefined ? { expiresAt: iso(e.expiresAt) } : {}),
  ...(e.origin === "remote"
    ? { origin: e.origin, ...(e.remoteFrom !== undefined ? { remoteFrom: e.remoteFrom } : {}) }
    : {})
})

export const entryView = (e: VisibleEntry) => ({ ...headView(e.envelope), read: e.read })

/** The whole envelope; `to` lists at most 20 recipients. */
export const envelopeView = (e: MessageEnvelope) => ({
  ...headView(e),
  to: e.to.slice(0, 20).map(partyView),
  ...(e.to.length > 20 ? { toMore: e.to.length - 20 } : {}),
  body: e.body,
  ...(e.inReplyTo !== undefined ? { inReplyTo: e.inReplyTo } : {}),
  artifacts: [...e.artifacts]
})

/** A search hit: the head and the first 200 characters of the body. */
export const hitView = (e: MessageEnvelope) => ({
  ...headView(e),
  snippet: e.body.length > 200 ? `${e.body.slice(0, 200)}…` : e.body
})

export const artifactView = (m: ArtifactMeta) => ({
  sha256: m.sha256,
  size: m.size,
  ...(m.name !== undefined ? { name: m.name } : {}),
  mimeType: m.mimeType,
  postedBy: m.postedBy,
  createdAt: iso(m.createdAt)
})
