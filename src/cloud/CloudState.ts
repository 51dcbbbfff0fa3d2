import * as Schema from "effect/Schema"
import { MessageEnvelope } from "../domain/Records.js"
import { MessageId, SessionId } from "../domain/Ulid.js"
import {
  AccountId,
  Base64UrlBytes,
  EncryptionKeyRecord,
  Handle,
  InnerTarget,
  KeyId,
  PublicKey,
  RotationStatement
} from "../protocol/WireSchemas.js"

/* The on-disk records under <home>/cloud/ (docs/cloud-client.md). Binary fields are base64url; times unix ms. */

/** credentials.json (0600). */
export const Credentials = Schema.Struct({
  v: Schema.Literal(1),
  relayUrl: Schema.String,
  relayId: Schema.String,
  handle: Handle,
  accountId: AccountId,
  token: Schema.String,
  registeredAt: Schema.Number,
  /**
   * `cloud token rotate`: the new token, written here before the relay is asked to swap it in, so a crash on either
   * side of the relay's commit never loses the live token (docs/cloud-client.md "Token rotation").
   */
  pendingToken: Schema.optional(Schema.String),
  tokenRotatedAt: Schema.optional(Schema.Number)
})
export type Credentials = typeof Credentials.Type

/** keys/<keyId>.json (0600): one of this account's X25519 keys and its signed record. */
export const StoredEncryptionKey = Schema.Struct({
  v: Schema.Literal(1),
  keyId: KeyId,
  record: EncryptionKeyRecord,
  privateKey: Base64UrlBytes
})
export type StoredEncryptionKey = typeof StoredEncryptionKey.Type

export const ContactState = Schema.Literal("pending", "active", "revoked")
export type ContactState = typeof ContactState.Type

/** One pinned contact: its identity key never changes without a new invite (or a signed rotation). */
export const PinnedContact = Schema.Struct({
  handle: Handle,
  accountId: AccountId,
  ikPub: PublicKey,
  state: ContactState,
  /** The newest encryption-key record verified against `ikPub`; its seq is the highest seen (no rollback). */
  ek: Schema.optional(EncryptionKeyRecord),
  pinnedAt: Schema.Number,
  revokedAt: Schema.optional(Schema.Number),
  /** When a continuity statement signed by the pinned key moved the pin to a new identity key (the last time). */
  identityChangedAt: Schema.optional(Schema.Number),
  /** Identity keys this contact rotated away from: still accepted on envelopes until `until` (mail in flight). */
  previousIks: Schema.optional(Schema.Array(Schema.Struct({ ikPub: PublicKey, until: Schema.Number })))
})
export type PinnedContact = typeof PinnedContact.Type

/** rotation.json (0600): this home's identity rotation, from before the relay is told until the keys are swapped. */
export const PendingRotation = Schema.Struct({
  v: Schema.Literal(1),
  rotation: RotationStatement,
  /** The encryption key the new identity key signed, published with the statement. */
  ek: StoredEncryptionKey,
  createdAt: Schema.Number
})
export type PendingRotation = typeof PendingRotation.Type

/**
 * identity-previous.json: identity keys this home rotated away from. Envelopes contacts sealed to one of them (they
 * had not seen the statement yet) are still opened until `until`.
 */
export const PreviousIdentities = Schema.Struct({
  v: Schema.Literal(1),
  keys: Schema.Array(Schema.Struct({ ikPub: PublicKey, until: Schema.Number }))
})
export type PreviousIdentities = typeof PreviousIdentities.Type

/** contacts.json. */
export const ContactsFile = Schema.Struct({ v: Schema.Literal(1), contacts: Schema.Array(PinnedContact) })
export type ContactsFile = typeof ContactsFile.Type

/** Where an inbound message is (to be) written: a live session's inbox, or the holding area. */
export const Target = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("session"), sessionId: SessionId }),
  Schema.Struct({ kind: Schema.Literal("unrouted") })
)
export type Target = typeof Target.Type

/** seen/<fpr>/<id>.json: the intent (state pending, target pinned) before the write, done after it. */
export const SeenRecord = Schema.Struct({
  v: Schema.Literal(1),
  localId: MessageId,
  target: Target,
  state: Schema.Literal("pending", "done"),
  at: Schema.Number
})
export type SeenRecord = typeof SeenRecord.Type

/** unrouted/<localId>.json: a remote message no live session matched yet. */
export const UnroutedMessage = Schema.Struct({
  v: Schema.Literal(1),
  to: InnerTarget,
  contact: Handle,
  accountId: AccountId,
  expiresAt: Schema.Number,
  envelope: MessageEnvelope
})
export type UnroutedMessage = typeof UnroutedMessage.Type

/** quarantine/<seq>-<id>.json: an envelope that failed a receiver check, with the stable reason. */
export const QuarantineRecord = Schema.Struct({
  v: Schema.Literal(1),
  seq: Schema.Number,
  id: Schema.String,
  from: Schema.String,
  reason: Schema.String,
  code: Schema.String,
  detail: Schema.String,
  at: Schema.Number
})
export type QuarantineRecord = typeof QuarantineRecord.Type

/**
 * `queued` (outbox/), then in sent/: `stored`, `delivered`, `surfaced`, `read`, `expired` or `refused:<reason>`
 * (CLOUD.md 2.8). `surfaced` and `read` come back as the recipient's receipts.
 */
export const OutboxState = Schema.Union(
  Schema.Literal("queued", "stored", "delivered", "surfaced", "read", "expired"),
  Schema.TemplateLiteral(Schema.Literal("refused:"), Schema.String)
)
export type OutboxState = typeof OutboxState.Type

/** An artifact of a queued message: the pump encrypts it from the local store, uploads it and grants it. */
export const OutboxArtifact = Schema.Struct({
  sha256: Schema.String,
  size: Schema.Number,
  name: Schema.optional(Schema.String),
  mime: Schema.String,
  /**
   * The content key, given by the daemon before the first upload and kept with the entry: a retry uploads the same
   * ciphertext, the same blob to the relay, instead of a new one that would sit there unreferenced until it expires.
   */
  key: Schema.optional(
    Base64UrlBytes.pipe(Schema.filter((key) => key.length === 32, { message: () => "a 32-byte key" }))
  )
})
export type OutboxArtifact = typeof OutboxArtifact.Type

/** What a receipt reports: the recipient's hook showed the message, or its session read it. */
export const ReceiptState = Schema.Literal("surfaced", "read")
export type ReceiptState = typeof ReceiptState.Type

/** outbox/<id>.json and, once carried or refused, sent/<id>.json. */
export const OutboxEntry = Schema.Struct({
  v: Schema.Literal(1),
  id: MessageId,
  contact: Handle,
  to: InnerTarget,
  fromSession: Schema.optional(
    Schema.Struct({ label: Schema.optional(Schema.String), cli: Schema.optional(Schema.String) })
  ),
  subject: Schema.String,
  body: Schema.String,
  threadId: Schema.optional(Schema.String),
  replyTo: Schema.optional(Schema.String),
  createdAt: Schema.Number,
  state: OutboxState,
  attempts: Schema.Number,
  nextAttemptAt: Schema.Number,
  lastError: Schema.optional(Schema.String),
  seq: Schema.optional(Schema.Number),
  updatedAt: Schema.Number,
  /** Set on a receipt: it reports this state of the message `replyTo` (sent as inner kind "receipt"). */
  receipt: Schema.optional(ReceiptState),
  /**
   * Set on a list of receipts (sent as inner kind "receipts", ADR-0058); `receipt` and `replyTo` then hold its first
   * item, so the entry is still a receipt to every reader, and an older daemon would carry that one.
   */
  receipts: Schema.optional(Schema.Array(Schema.Struct({ replyTo: Schema.String, state: ReceiptState }))),
  artifacts: Schema.optional(Schema.Array(OutboxArtifact))
})
export type OutboxEntry = typeof OutboxEntry.Type

/** daemon.pid: written by the running daemon. */
export const DaemonPid = Schema.Struct({ pid: Schema.Number, startedAt: Schema.Number })

/** One live session of a contact, as its daemon published it (sealed to this account; CLOUD.md 2.9). */
export const RemoteSession = Schema.Struct({
  label: Schema.String,
  /** The host CLI (provider id), when the contact's daemon knows it. */
  cli: Schema.optional(Schema.String),
  cwd: Schema.optional(Schema.String),
  /** When the session registered, unix ms. */
  since: Schema.Number,
  /** The session's last hook or tool activity, unix ms. */
  lastSeen: Schema.Number
})
export type RemoteSession = typeof RemoteSession.Type

/** One contact's presence: what it published, checked against its pinned identity key. */
export const ContactPresence = Schema.Struct({
  handle: Handle,
  accountId: AccountId,
  /** The signed time of the publication, unix ms (a publication older than 90 s counts as offline). */
  publishedAt: Schema.Number,
  sessions: Schema.Array(RemoteSession)
})
export type ContactPresence = typeof ContactPresence.Type

/**
 * presence.json: every active contact's last verified presence, replaced as a whole on each fetch (every 15 s by
 * the daemon, and by `contact sessions`). Readers: `bridge_list_sessions`, `contact sessions`.
 */
export const PresenceCache = Schema.Struct({
  v: Schema.Literal(1),
  fetchedAt: Schema.Number,
  contacts: Schema.Array(ContactPresence)
})
export type PresenceCache = typeof PresenceCache.Type

/** invites/<id>.json (0600): an open invite's secret, kept only until it is accepted, expires or is revoked. */
export const StoredInvite = Schema.Struct({
  v: Schema.Literal(1),
  /** The invite id (base64url), as the relay knows it. */
  id: Schema.String,
  secret: Base64UrlBytes,
  offer: Base64UrlBytes,
  expiresAt: Schema.Number,
  createdAt: Schema.Number
})
export type StoredInvite = typeof StoredInvite.Type
