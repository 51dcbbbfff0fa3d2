import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Ciphertext } from "../protocol/ArtifactCipher.js"
import type { AccountId, EncryptionKeyRecord, Envelope, Handle, RotationStatement } from "../protocol/WireSchemas.js"
import type { RelayError } from "./CloudErrors.js"
import type {
  ContactRotation,
  CreateInviteRequest,
  InboxResponse,
  InviteLookup,
  PresenceBlob,
  RedeemedInvite,
  RedeemResponse,
  RegisterRequest,
  RegisterResponse,
  RelayContact,
  RelayInfo,
  SendResponse,
  SentStatusResponse
} from "./RelayWire.js"

/**
 * The relay's HTTP API as the client sees it (CLOUD.md 2.2-2.10). One layer over `@effect/platform`'s HttpClient
 * (`HttpRelayClient.layer`), and an in-memory relay with the same semantics for tests (`test/support/FakeRelay.ts`).
 * Calls that need an account take the bearer token the caller read from `credentials.json`.
 */
export interface RelayClientShape {
  readonly info: Effect.Effect<RelayInfo, RelayError>
  readonly register: (request: RegisterRequest) => Effect.Effect<RegisterResponse, RelayError>
  /** Revokes the token (`cloud logout`); the next request with it is 401 `RELAY_AUTH`. */
  readonly logout: (token: string) => Effect.Effect<void, RelayError>
  /**
   * `POST /v1/token/rotate`: `newToken` (made and saved by the caller first) replaces `token` at once; a retry after
   * the relay committed is `RELAY_AUTH` (the old token is gone), and the new one then answers.
   */
  readonly rotateToken: (token: string, newToken: string) => Effect.Effect<void, RelayError>
  /** `POST /v1/account/identity`: a new identity key and the EK record it signed; the same statement again succeeds. */
  readonly rotateIdentity: (
    token: string,
    rotation: RotationStatement,
    ek: EncryptionKeyRecord
  ) => Effect.Effect<void, RelayError>
  /** `GET /v1/identity-rotations`: the continuity statements contacts published, oldest first. */
  readonly identityRotations: (token: string) => Effect.Effect<ReadonlyArray<ContactRotation>, RelayError>
  readonly contacts: (token: string) => Effect.Effect<ReadonlyArray<RelayContact>, RelayError>
  /** 201 or a duplicate 200 both succeed: the id is the idempotency key. */
  readonly send: (token: string, envelope: Envelope) => Effect.Effect<SendResponse, RelayError>
  /** Envelopes with seq > after, ascending; `after` also acks everything up to it. */
  readonly inbox: (token: string, after: number, waitSeconds: number) => Effect.Effect<InboxResponse, RelayError>
  readonly ack: (token: string, upTo: number) => Effect.Effect<void, RelayError>
  /** `GET /v1/sent/{id}`: stored, delivered (the recipient acked past it), expired or refused; 404 if unknown. */
  readonly sentStatus: (token: string, id: string) => Effect.Effect<SentStatusResponse, RelayError>
  /** `PUT /v1/blobs/{id}`: the ciphertext is sent as it is sealed, chunk by chunk, with its length up front. */
  readonly putBlob: (
    token: string,
    blobId: string,
    grants: ReadonlyArray<AccountId>,
    ciphertext: Ciphertext
  ) => Effect.Effect<void, RelayError>
  readonly getBlob: (token: string, blobId: string) => Effect.Effect<Uint8Array, RelayError>
  /** Publishes a newer encryption-key record (rotation; the seq must rise). */
  readonly publishEk: (token: string, ek: EncryptionKeyRecord) => Effect.Effect<void, RelayError>
  readonly createInvite: (token: string, invite: CreateInviteRequest) => Effect.Effect<void, RelayError>
  /** `INVITE_INVALID` for an unknown, used, expired or revoked id (one answer for all). */
  readonly lookupInvite: (token: string, id: Uint8Array) => Effect.Effect<InviteLookup, RelayError>
  readonly redeemInvite: (token: string, id: Uint8Array, reply: Uint8Array) => Effect.Effect<RedeemResponse, RelayError>
  /** This account's invites that someone redeemed and that wait for `accept`. */
  readonly redeemedInvites: (token: string) => Effect.Effect<ReadonlyArray<RedeemedInvite>, RelayError>
  readonly revokeInvite: (token: string, id: Uint8Array) => Effect.Effect<void, RelayError>
  readonly acceptContact: (token: string, handle: Handle) => Effect.Effect<void, RelayError>
  readonly revokeContact: (token: string, handle: Handle) => Effect.Effect<void, RelayError>
  /** Replaces this account's presence blobs, one per contact account id. */
  readonly putPresence: (
    token: string,
    blobs: ReadonlyArray<readonly [AccountId, Uint8Array]>
  ) => Effect.Effect<void, RelayError>
  /** The presence blobs contacts left for this account. */
  readonly presence: (token: string) => Effect.Effect<ReadonlyArray<PresenceBlob>, RelayError>
}

export class RelayClient extends Context.Tag("session-bridge/RelayClient")<RelayClient, RelayClientShape>() {}
