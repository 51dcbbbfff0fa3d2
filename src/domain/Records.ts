import * as Schema from "effect/Schema"
import { HOST_IDS } from "../hosts/index.js"
import { ChannelName, Label, Sha256 } from "./Names.js"
import { MessageId, SessionId } from "./Ulid.js"
import { UtcTime } from "./UtcTime.js"

/** The hosts session-bridge knows (src/hosts/), plus the CLI's own pseudo-sessions and "unknown". */
export const ProviderId = Schema.Literal(...HOST_IDS, "cli", "unknown")
export type ProviderId = typeof ProviderId.Type

/** sessions/<id>.json — one per session, local or (later) remote presence. */
export const SessionRecord = Schema.Struct({
  v: Schema.Literal(1),
  sessionId: SessionId,
  label: Label,
  cwd: Schema.String,
  provider: ProviderId,
  hostSessionId: Schema.optional(Schema.String),
  pid: Schema.optional(Schema.Number),
  createdAt: UtcTime,
  lastSeen: UtcTime,
  endedAt: Schema.optional(UtcTime),
  summary: Schema.optional(Schema.String)
})
export type SessionRecord = typeof SessionRecord.Type

export const MessageKind = Schema.Literal("direct", "channel", "broadcast")
export type MessageKind = typeof MessageKind.Type

export const Origin = Schema.Literal("local", "remote")
export type Origin = typeof Origin.Type

/** A sender or recipient as it was resolved when the message was sent. */
export const Party = Schema.Struct({
  sessionId: SessionId,
  label: Schema.String,
  provider: Schema.optional(ProviderId),
  /** For a remote sender (origin "remote"): the contact's handle; its session is a stand-in id. */
  contact: Schema.optional(Schema.String)
})
export type Party = typeof Party.Type

/** The envelope of every message, stored once per recipient inbox (direct, channel) or once (broadcast). */
export const MessageEnvelope = Schema.Struct({
  v: Schema.Literal(1),
  id: MessageId,
  kind: MessageKind,
  from: Party,
  to: Schema.Array(Party),
  channel: Schema.optional(ChannelName),
  subject: Schema.String,
  body: Schema.String,
  threadId: MessageId,
  inReplyTo: Schema.optional(MessageId),
  artifacts: Schema.Array(Sha256),
  createdAt: UtcTime,
  expiresAt: Schema.optional(UtcTime),
  origin: Origin,
  remoteFrom: Schema.optional(Schema.String),
  /** For a remote message: the id its sender gave it (the wire id), which receipts and replies refer to. */
  remoteId: Schema.optional(MessageId)
})
export type MessageEnvelope = typeof MessageEnvelope.Type

/** artifacts/<sha>.meta.json — beside the bytes in artifacts/<sha>.bin. */
export const ArtifactMeta = Schema.Struct({
  v: Schema.Literal(1),
  sha256: Sha256,
  size: Schema.Number,
  name: Schema.optional(Schema.String),
  mimeType: Schema.String,
  postedBy: SessionId,
  createdAt: UtcTime
})
export type ArtifactMeta = typeof ArtifactMeta.Type

/** One line of the JSON-lines event log. */
export const EventRecord = Schema.Struct({
  at: Schema.String,
  event: Schema.String,
  data: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type EventRecord = typeof EventRecord.Type
