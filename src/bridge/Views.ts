import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { isoOfMillis } from "../domain/IsoTime.js"
import type { ArtifactMeta, MessageEnvelope, Party, SessionRecord } from "../domain/Records.js"
import { MessageKind, ProviderId } from "../domain/Records.js"
import { formatIso, UtcTime } from "../domain/UtcTime.js"
import { SHORT_ID_CHARS } from "./LabelCollisions.js"
import type { SessionStatus } from "./Sessions.js"
import type { VisibleEntry } from "./Visibility.js"

/**
 * Plain JSON shapes of domain records, as tool results, CLI --json output and the UI show them. Each view is a
 * Schema whose type side takes the domain record (fields it does not name are dropped) and whose encoded side
 * is the JSON: encoding is the mapping, and the MCP tools' output schemas are generated from the same Schemas.
 */

/** An optional field left out of the JSON when it is absent or undefined. */
export const optional = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalToOptional(schema, Schema.UndefinedOr(Schema.typeSchema(schema)), {
    decode: (o) => o,
    encode: Option.filter(Predicate.isNotUndefined)
  })

/** A time as ISO 8601 text. */
const Time = UtcTime

/** A channel name shown with its leading '#'. */
export const ChannelTag = Schema.transform(Schema.String, Schema.String, {
  strict: true,
  decode: (s) => (s.startsWith("#") ? s.slice(1) : s),
  encode: (name) => `#${name}`
})

/** `origin` is shown only for remote messages; a local message has none in the JSON. */
const RemoteOrigin = Schema.optionalToOptional(Schema.Literal("remote"), Schema.Literal("local", "remote"), {
  decode: (o) => Option.some(Option.getOrElse(o, () => "local" as const)),
  encode: Option.filter((o): o is "remote" => o === "remote")
})

/** `contact` is set on a contact's session (a remote sender, or the recipient of a message to a contact). */
export const PartyView = Schema.Struct({
  sessionId: Schema.String,
  label: Schema.String,
  contact: optional(Schema.String)
})

/** Unix milliseconds shown as ISO 8601 text. */
const TimeFromMillis = Schema.transform(Schema.String, Schema.Number, {
  strict: true,
  decode: (iso) => Date.parse(iso),
  encode: (ms) => isoOfMillis(ms)
})

/** Where a message its viewer sent stands (CONTRACT.md "Delivery state"). */
export const DeliveryView = Schema.Struct({
  state: Schema.Literal("queued", "stored", "delivered", "surfaced", "read", "expired", "refused"),
  at: TimeFromMillis,
  reason: optional(Schema.String)
})

/** A contact's live session, from the presence its daemon published. */
export const RemoteSessionView = Schema.Struct({
  origin: Schema.Literal("remote"),
  contact: Schema.String,
  label: Schema.String,
  /** The contact's host CLI, as its daemon named it. */
  provider: optional(Schema.String),
  cwd: optional(Schema.String),
  since: TimeFromMillis,
  lastSeen: TimeFromMillis,
  online: Schema.Boolean
})

export const WhoamiView = Schema.Struct({
  sessionId: Schema.String,
  label: Schema.String,
  cwd: Schema.String,
  provider: ProviderId,
  summary: optional(Schema.String)
})

/** A session as a send result names it: who, which host, which folder, and a short id to address it by. */
export const ReachedView = Schema.transform(
  Schema.Struct({
    sessionId: Schema.String,
    shortId: Schema.String,
    label: Schema.String,
    provider: ProviderId,
    cwd: Schema.String
  }),
  Schema.typeSchema(
    Schema.Struct({ sessionId: Schema.String, label: Schema.String, provider: ProviderId, cwd: Schema.String })
  ),
  {
    strict: true,
    decode: ({ shortId: _shortId, ...rest }) => rest,
    encode: (r) => ({ ...r, shortId: r.sessionId.slice(0, SHORT_ID_CHARS) })
  }
)

/** A label or cwd that matched several sessions: how many, whether live, and that the newest was chosen. */
export const AmbiguityView = Schema.Struct({
  by: Schema.Literal("label", "cwd"),
  value: Schema.String,
  matches: Schema.Number,
  online: Schema.Boolean,
  chosen: Schema.Literal("newest")
})

export const SessionView = Schema.Struct({
  ...WhoamiView.fields,
  lastSeen: Time,
  online: Schema.Boolean
})

/** The fields that locate a message: shared by every listing. */
const headFields = {
  id: Schema.String,
  kind: MessageKind,
  from: PartyView,
  channel: optional(ChannelTag),
  subject: Schema.String,
  createdAt: Time,
  threadId: Schema.String,
  expiresAt: optional(Time),
  origin: RemoteOrigin,
  remoteFrom: optional(Schema.String)
}

export const EntryView = Schema.Struct({ ...headFields, read: Schema.Boolean })

/** How many recipients a view lists; `toMore` counts the rest. */
const MAX_LISTED_RECIPIENTS = 20

const bodyFields = {
  ...headFields,
  body: Schema.String,
  inReplyTo: optional(Schema.String),
  /** Only for the sender of a direct message. */
  delivery: optional(DeliveryView)
}

/** The JSON of `to`: at most 20 recipients, and `toMore` counting the rest. */
const recipientsJson = { to: Schema.Array(PartyView), toMore: optional(Schema.Number) }
const recipients = { to: Schema.Array(PartyView) }

/** `to` is the one field whose JSON depends on its length, so its transformation is over the whole message. */
const listRecipients = <E extends { readonly to: ReadonlyArray<unknown> }>(e: E) =>
  e.to.length > MAX_LISTED_RECIPIENTS
    ? { ...e, to: e.to.slice(0, MAX_LISTED_RECIPIENTS), toMore: e.to.length - MAX_LISTED_RECIPIENTS }
    : e
const dropToMore = <E extends { readonly toMore?: number | undefined }>({ toMore: _toMore, ...rest }: E) => rest

const envelopeFields = { ...bodyFields, artifacts: Schema.Array(Schema.String) }

/** The whole envelope; `to` lists at most 20 recipients. */
export const EnvelopeView = Schema.transform(
  Schema.Struct({ ...envelopeFields, ...recipientsJson }),
  Schema.typeSchema(Schema.Struct({ ...envelopeFields, ...recipients })),
  { strict: true, decode: dropToMore, encode: listRecipients }
)

export const ArtifactView = Schema.Struct({
  sha256: Schema.String,
  size: Schema.Number,
  name: optional(Schema.String),
  mimeType: Schema.String,
  postedBy: Schema.String,
  createdAt: Time
})

const detailFields = { ...bodyFields, artifacts: Schema.Array(ArtifactView), read: Schema.Boolean }

/** A message in full as its reader sees it: artifact details instead of bare hashes, and whether it was read. */
export const MessageDetailView = Schema.transform(
  Schema.Struct({ ...detailFields, ...recipientsJson }),
  Schema.typeSchema(Schema.Struct({ ...detailFields, ...recipients })),
  { strict: true, decode: dropToMore, encode: listRecipients }
)

/** The first 200 characters of a body, with an ellipsis when cut. */
const Snippet = Schema.transform(Schema.String, Schema.String, {
  strict: true,
  decode: (s) => s,
  encode: (body) => (body.length > 200 ? `${body.slice(0, 200)}…` : body)
})

/** A search hit: the head and the first 200 characters of the body, as `snippet`. */
export const HitView = Schema.Struct({
  ...headFields,
  body: Schema.propertySignature(Snippet).pipe(Schema.fromKey("snippet"))
})

export const partyView = (p: Party) => Schema.encodeSync(PartyView)(p)
export const reachedView = (r: SessionRecord) => Schema.encodeSync(ReachedView)(r)
export const whoamiView = (r: SessionRecord) => Schema.encodeSync(WhoamiView)(r)
export const sessionView = (s: SessionStatus) => Schema.encodeSync(SessionView)({ ...s.record, online: s.online })
export const entryView = (e: VisibleEntry) => Schema.encodeSync(EntryView)({ ...e.envelope, read: e.read })
export const envelopeView = (e: MessageEnvelope) => Schema.encodeSync(EnvelopeView)(e)
/** A search hit's JSON: HitView's encoded side, which a tool result encodes without a transformation. */
export const HitJson = Schema.encodedSchema(HitView)

/**
 * HitView's encoding written out: a search shows up to 20 new hits at a time, and the schema's encode costs five
 * times as much per hit. test/bridge/Views.test.ts holds it to `Schema.encodeSync(HitView)`, field for field.
 */
const hitJson = (e: MessageEnvelope): typeof HitJson.Type => ({
  id: e.id,
  kind: e.kind,
  from: {
    sessionId: e.from.sessionId,
    label: e.from.label,
    ...(e.from.contact !== undefined ? { contact: e.from.contact } : {})
  },
  ...(e.channel !== undefined ? { channel: `#${e.channel}` } : {}),
  subject: e.subject,
  createdAt: formatIso(e.createdAt),
  threadId: e.threadId,
  ...(e.expiresAt !== undefined ? { expiresAt: formatIso(e.expiresAt) } : {}),
  ...(e.origin === "remote" ? { origin: e.origin } : {}),
  ...(e.remoteFrom !== undefined ? { remoteFrom: e.remoteFrom } : {}),
  snippet: e.body.length > 200 ? `${e.body.slice(0, 200)}…` : e.body
})

const hitsShown = new WeakMap<MessageEnvelope, typeof HitJson.Type>()
/**
 * The JSON of a search hit, made once per envelope: a search returns the envelope objects its index keeps, so the
 * same hits shown again are not encoded again. Envelopes are never changed in place, and the JSON is only read.
 */
export const hitView = (e: MessageEnvelope): typeof HitJson.Type => {
  let shown = hitsShown.get(e)
  if (shown === undefined) {
    shown = hitJson(e)
    hitsShown.set(e, shown)
  }
  return shown
}
export const artifactView = (m: ArtifactMeta) => Schema.encodeSync(ArtifactView)(m)
