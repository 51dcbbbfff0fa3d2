import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type {
  AccountNotFound,
  ContactRevoked,
  EkSeqStale,
  HandleTaken,
  InviteInvalid,
  InviteLimit,
  NotAContact,
  RecipientQuota,
  RelayAuth,
  RelayStoreIo
} from "./RelayErrors.js"
import type { RotationStorePart } from "./RelayStoreRotations.js"
import type { Blob, BlobInput, PresenceBlob } from "./RelayBlobs.js"

/** Relay account ids are database ids. Keys, records, ciphertext and ids minted by clients are opaque bytes. */
export type AccountId = number
/** Times are unix milliseconds, read from Effect's Clock (so TestClock drives expiry). */
export type UnixMs = number

/** Limits the store enforces itself (CLOUD.md 2.3, 2.5, 2.12). */
export const RelayLimits = {
  openInvitesPerAccount: 20,
  pendingMessagesPerRecipient: 1_000,
  pendingBlobBytesPerRecipient: 256 * 1024 * 1024,
  blobChunkBytes: 1024 * 1024,
  /** How long a sender's delivery state is kept (longer than the 7-day message TTL plus skew). */
  sentStatusKeepMs: 8 * 24 * 3_600_000,
  /** A redeemed invite waits this long past its expiry for the inviter's accept, then the sweeper drops it. */
  redeemedInviteKeepMs: 7 * 24 * 3_600_000
} as const

export interface Account {
  readonly id: AccountId
  readonly handle: string
  readonly ikPub: Uint8Array
  readonly ekRecord: Uint8Array
  readonly ekSeq: number
  /** The last seq handed out to a message for this account (the per-recipient counter). */
  readonly nextSeq: number
  /** The highest seq this account acked. */
  readonly ackedSeq: number
  readonly createdAt: UnixMs
  readonly disabledAt: UnixMs | null
  /** Last presence heartbeat. */
  readonly lastSeen: UnixMs | null
}

export interface NewAccount {
  readonly handle: string
  readonly ikPub: Uint8Array
  readonly ekRecord: Uint8Array
  readonly ekSeq: number
}

export interface Invite {
  readonly id: Uint8Array
  readonly inviterId: AccountId
  readonly inviterHandle: string
  readonly offer: Uint8Array
  readonly reply: Uint8Array | null
  readonly expiresAt: UnixMs
  readonly redeemedBy: AccountId | null
  readonly redeemedByHandle: string | null
  readonly redeemedAt: UnixMs | null
}

export type ContactState = "pending" | "active" | "revoked"

/** A contact seen from one account: `peerId` is the other side. */
export interface Contact {
  readonly peerId: AccountId
  readonly peerHandle: string
  readonly state: ContactState
  readonly inviteId: Uint8Array | null
  readonly createdAt: UnixMs
  readonly acceptedAt: UnixMs | null
  readonly revokedAt: UnixMs | null
}

export interface EnqueueInput {
  readonly senderId: AccountId
  readonly recipientId: AccountId
  /** The sender-minted message id (its ULID), the idempotency key together with the sender. */
  readonly msgId: Uint8Array
  readonly rk: string
  readonly ct: Uint8Array
  readonly expiresAt: UnixMs
}

/** What a send handler answers: `201 {seq}` or, for a retried id, `200 {seq, duplicate: true}`. */
export interface Enqueued {
  readonly seq: number
  readonly duplicate: boolean
}

export interface SpoolEntry {
  readonly seq: number
  readonly senderId: AccountId
  readonly msgId: Uint8Array
  readonly rk: string
  readonly ct: Uint8Array
  readonly createdAt: UnixMs
  readonly expiresAt: UnixMs
}

/** A row as a poll hands it on: what the store read, or what a send just committed (Waiters.ts). */
export type FreshEntry = Omit<SpoolEntry, "createdAt">

export interface Acked {
  /** The account's acked seq after this ack (never lower than before). */
  readonly ackedSeq: number
  /** Spool rows removed by this ack. */
  readonly deleted: number
}

export type SentState = "stored" | "delivered" | "expired" | "refused"

export interface SentStatus {
  readonly recipientId: AccountId
  readonly seq: number | null
  readonly state: SentState
  readonly reason: string | null
  readonly updatedAt: UnixMs
}

export interface AuditEvent {
  readonly at: UnixMs
  readonly actor: AccountId | null
  readonly event: string
  readonly detail: string
}

/** What one sweep removed; a second sweep right after removes nothing. */
export interface Swept {
  readonly spoolExpired: number
  readonly invitesDropped: number
  readonly blobsDropped: number
  readonly sentStatusDropped: number
}

/** A recipient's spool rows with seq > `after`, ascending, at most `limit`. */
export type SpoolRead = (
  recipientId: AccountId,
  after: number,
  limit: number
) => Effect.Effect<ReadonlyArray<SpoolEntry>, RelayStoreIo>

/**
 * The relay's durable state (CLOUD.md 3.2): accounts, tokens, invites, contacts, the per-recipient spool,
 * delivery states, blobs, presence, audit and the relay's own id. All of it is in the database, so several
 * relay replicas can share one PostgreSQL; SQLite is the single-replica default.
 */
export interface RelayStoreShape extends RotationStorePart {
  /** The relay's stable random id, made at first start (served by `GET /v1/info`, bound by registration proofs). */
  readonly relayId: string
  /** The migrations this store's start applied (`"1_relay_schema"`…), empty when the schema was current. */
  readonly migrated: ReadonlyArray<string>
  /**
   * A setting every replica shares (the `meta` table): the first `candidate` written for `key` wins, and every
   * caller reads the stored value back; `created` is true only for the caller whose candidate was stored.
   */
  readonly claimSetting: (
    key: string,
    candidate: string
  ) => Effect.Effect<{ readonly value: string; readonly created: boolean }, RelayStoreIo>

  readonly createAccount: (input: NewAccount) => Effect.Effect<Account, HandleTaken | RelayStoreIo>
  /**
   * Registration: the account, its first token (its SHA-256) and the `register` audit row in one transaction, so a
   * failure or a crash part way leaves no account without a token and no handle taken by nobody.
   */
  readonly createAccountWithToken: (
    input: NewAccount & { readonly tokenHash: Uint8Array; readonly tokenLabel: string }
  ) => Effect.Effect<Account, HandleTaken | RelayStoreIo>
  readonly getAccount: (id: AccountId) => Effect.Effect<Option.Option<Account>, RelayStoreIo>
  readonly getAccountByHandle: (handle: string) => Effect.Effect<Option.Option<Account>, RelayStoreIo>
  /** Publishes a newer signed EK record; a seq not above the stored one fails (no rollback). */
  readonly updateEkRecord: (
    id: AccountId,
    ekRecord: Uint8Array,
    ekSeq: number
  ) => Effect.Effect<void, AccountNotFound | EkSeqStale | RelayStoreIo>
  /** Disables the account and revokes every token of it in one transaction; false when already disabled. */
  readonly disableAccount: (id: AccountId) => Effect.Effect<boolean, AccountNotFound | RelayStoreIo>
  readonly listAccounts: Effect.Effect<ReadonlyArray<Account>, RelayStoreIo>

  /** Stores the SHA-256 of a new token (never the token). */
  readonly insertToken: (
    accountId: AccountId,
    tokenHash: Uint8Array,
    label?: string
  ) => Effect.Effect<void, RelayStoreIo>
  /** The account a token hash belongs to, unless the token is revoked or the account disabled. */
  readonly accountForToken: (tokenHash: Uint8Array) => Effect.Effect<Account, RelayAuth | RelayStoreIo>
  /** The id alone, from the store's token cache when it has one (TokenCache.ts): revokes here clear it at once. */
  readonly accountIdForToken: (tokenHash: Uint8Array) => Effect.Effect<AccountId, RelayAuth | RelayStoreIo>
  readonly touchToken: (tokenHash: Uint8Array) => Effect.Effect<void, RelayStoreIo>
  /** True when a live token was revoked. */
  readonly revokeToken: (tokenHash: Uint8Array) => Effect.Effect<boolean, RelayStoreIo>
  /** How many live tokens were revoked. */
  readonly revokeAllTokens: (accountId: AccountId) => Effect.Effect<number, RelayStoreIo>

  /** At most `RelayLimits.openInvitesPerAccount` open (unredeemed, unrevoked, unexpired) invites per account. */
  readonly createInvite: (input: {
    readonly id: Uint8Array
    readonly inviterId: AccountId
    readonly offer: Uint8Array
    readonly expiresAt: UnixMs
  }) => Effect.Effect<void, InviteLimit | InviteInvalid | RelayStoreIo>
  /** An invite that can still be redeemed; every other case is the same `InviteInvalid`. */
  readonly getOpenInvite: (id: Uint8Array) => Effect.Effect<Invite, InviteInvalid | RelayStoreIo>
  /** Single use, atomically: marks the invite redeemed and makes the pair's contact row `pending`. */
  readonly redeemInvite: (input: {
    readonly id: Uint8Array
    readonly redeemerId: AccountId
    readonly reply: Uint8Array
  }) => Effect.Effect<Invite, InviteInvalid | RelayStoreIo>
  /** The inviter's redeemed invites still waiting for its accept. */
  readonly listRedeemedInvites: (inviterId: AccountId) => Effect.Effect<ReadonlyArray<Invite>, RelayStoreIo>
  /** True when an open invite of this inviter was revoked. */
  readonly revokeInvite: (inviterId: AccountId, id: Uint8Array) => Effect.Effect<boolean, RelayStoreIo>

  readonly getContact: (self: AccountId, peer: AccountId) => Effect.Effect<Option.Option<Contact>, RelayStoreIo>
  readonly listContacts: (self: AccountId) => Effect.Effect<ReadonlyArray<Contact>, RelayStoreIo>
  /** The inviter accepts the redeemer of its invite: `pending` → `active`. */
  readonly acceptContact: (
    inviterId: AccountId,
    redeemerId: AccountId
  ) => Effect.Effect<Contact, NotAContact | ContactRevoked | RelayStoreIo>
  /**
   * Either side ends the contact, in one transaction: state `revoked`, the pair's unfetched spool rows deleted
   * (their senders' delivery state `refused`/`revoked`), the pair's blob grants and presence blobs deleted.
   */
  readonly revokeContact: (
    self: AccountId,
    peer: AccountId
  ) => Effect.Effect<{ readonly deletedMessages: number }, NotAContact | RelayStoreIo>

  /**
   * Stores a message for its recipient with the next per-recipient seq (one transaction under the recipient's row
   * lock, so commit order is seq order). A retried `(sender, msgId)` returns the seq it got the first time.
   */
  readonly enqueue: (
    input: EnqueueInput
  ) => Effect.Effect<Enqueued, NotAContact | ContactRevoked | RecipientQuota | AccountNotFound | RelayStoreIo>
  /** `read`, and `after` is an ack, queued and not waited for (ADR-0064). */
  readonly fetch: SpoolRead
  /** Messages with seq > `after`, ascending, at most `limit`, acking nothing (a woken poll's read, ADR-0068). */
  readonly read: SpoolRead
  /** `acked_seq = max(acked_seq, upTo)`, drops rows ≤ upTo, marks their senders' delivery state `delivered`. */
  readonly ack: (recipientId: AccountId, upTo: number) => Effect.Effect<Acked, RelayStoreIo>
  readonly getSentStatus: (
    senderId: AccountId,
    msgId: Uint8Array
  ) => Effect.Effect<Option.Option<SentStatus>, RelayStoreIo>

  /** Stores a blob with its grants; the same id again adds missing grants and answers `duplicate`. */
  readonly putBlob: (input: BlobInput) => Effect.Effect<{ readonly duplicate: boolean }, RecipientQuota | RelayStoreIo>
  /** The blob, only for one of its grantees (none for anyone else, or once it is gone). */
  readonly getBlob: (blobId: Uint8Array, viewerId: AccountId) => Effect.Effect<Option.Option<Blob>, RelayStoreIo>
  /**
   * Notes that a grantee fetched the blob. Its grant ends once the grantee acks past what it had been sent by
   * then; the sweeper drops a blob when no grant is left, or at its expiry.
   */
  readonly markBlobFetched: (blobId: Uint8Array, recipientId: AccountId) => Effect.Effect<void, RelayStoreIo>

  /** Replaces the owner's sealed presence blob for each viewer and records its heartbeat. */
  readonly putPresence: (
    ownerId: AccountId,
    blobs: ReadonlyArray<{ readonly viewerId: AccountId; readonly blob: Uint8Array }>
  ) => Effect.Effect<void, RelayStoreIo>
  readonly getPresence: (viewerId: AccountId) => Effect.Effect<ReadonlyArray<PresenceBlob>, RelayStoreIo>

  /** Appends an event (register, invite, accept, revoke, token…): never a payload. */
  readonly audit: (actor: AccountId | null, event: string, detail: string) => Effect.Effect<void, RelayStoreIo>
  readonly listAudit: (limit: number) => Effect.Effect<ReadonlyArray<AuditEvent>, RelayStoreIo>

  /** Idempotent expiry sweep (every replica runs it every 60 s). */
  readonly sweep: Effect.Effect<Swept, RelayStoreIo>
}

export class RelayStore extends Context.Tag("session-bridge/RelayStore")<RelayStore, RelayStoreShape>() {}
