import * as Schema from "effect/Schema"
import {
  AccountId,
  Base64UrlBytes,
  EncryptionKeyRecord,
  Envelope,
  Handle,
  PublicKey,
  RotationStatement,
  Signature
} from "../protocol/WireSchemas.js"

/*
 * Every body the client sends to or reads from the relay's HTTP API (CLOUD.md 2.2-2.10), in one module so that
 * aligning with the relay's routes is one edit. Binary fields are base64url; times are unix ms except `exp`.
 */

const Seq = Schema.Int.pipe(Schema.nonNegative())

/** `GET /v1/info`. */
export const RelayInfo = Schema.Struct({
  relayId: Schema.String,
  protocol: Schema.optional(Schema.String),
  registration: Schema.optional(Schema.String)
})
export type RelayInfo = typeof RelayInfo.Type

/** `POST /v1/accounts`. */
export const RegisterRequest = Schema.Struct({
  handle: Handle,
  ikPub: PublicKey,
  ek: EncryptionKeyRecord,
  proof: Signature,
  ts: Seq,
  registrationCode: Schema.optional(Schema.String)
})
export type RegisterRequest = typeof RegisterRequest.Type
export const RegisterResponse = Schema.Struct({ accountId: AccountId, token: Schema.String })
export type RegisterResponse = typeof RegisterResponse.Type

/** One row of `GET /v1/contacts`: the relay's view, with the peer's current keys (checked against the pin). */
export const RelayContact = Schema.Struct({
  accountId: AccountId,
  handle: Handle,
  state: Schema.Literal("pending", "active", "revoked"),
  ikPub: Schema.NullOr(PublicKey),
  ek: Schema.NullOr(EncryptionKeyRecord),
  lastSeen: Schema.optional(Schema.NullOr(Schema.Number))
})
export type RelayContact = typeof RelayContact.Type
export const ContactsResponse = Schema.Struct({ contacts: Schema.Array(RelayContact) })

/** `POST /v1/messages`: 201 `{seq}` or 200 `{seq, duplicate: true}`. */
export const SendResponse = Schema.Struct({ seq: Seq, duplicate: Schema.optional(Schema.Boolean) })
export type SendResponse = typeof SendResponse.Type

/** One envelope as the relay delivers it: its per-recipient `seq` and the `from` it stamped from the token. */
export const Delivered = Schema.Struct({ ...Envelope.fields, seq: Seq, from: AccountId })
export type Delivered = typeof Delivered.Type

/** `GET /v1/inbox?after=&wait=`. */
export const InboxResponse = Schema.Struct({ messages: Schema.Array(Delivered), cursor: Seq })
export type InboxResponse = typeof InboxResponse.Type

/** `GET /v1/sent/{id}`: the relay-level state of a message this account sent. */
export const SentStatusResponse = Schema.Struct({
  id: Schema.String,
  to: AccountId,
  seq: Schema.NullOr(Seq),
  state: Schema.Literal("stored", "delivered", "expired", "refused"),
  reason: Schema.NullOr(Schema.String),
  updatedAt: Schema.Number
})
export type SentStatusResponse = typeof SentStatusResponse.Type

/** `POST /v1/inbox/ack`. */
export const AckRequest = Schema.Struct({ upTo: Seq })
export const AckResponse = Schema.Struct({ ackedSeq: Seq })

/** `PUT /v1/blobs/{id}`. */
export const BlobPutResponse = Schema.Struct({ size: Seq, duplicate: Schema.optional(Schema.Boolean) })

/** Every refusal: `{code, message, hint}`. */
export const ErrorBody = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  hint: Schema.optional(Schema.String)
})
export type ErrorBody = typeof ErrorBody.Type

const Bytes = Base64UrlBytes

/** `POST /v1/invites {id, exp, offer}` (exp unix ms, at most 24 h away) → `{id, exp}`. */
export const CreateInviteRequest = Schema.Struct({ id: Bytes, exp: Seq, offer: Bytes })
export type CreateInviteRequest = typeof CreateInviteRequest.Type
export const CreateInviteResponse = Schema.Struct({ id: Schema.String, exp: Seq })

/** `GET /v1/invites/{id}`: who the relay says made the invite, and the sealed offer. */
export const InviteLookup = Schema.Struct({
  inviterHandle: Handle,
  inviterAccountId: AccountId,
  offer: Bytes,
  exp: Seq
})
export type InviteLookup = typeof InviteLookup.Type

/** `POST /v1/invites/{id}/redeem {reply}`. */
export const RedeemRequest = Schema.Struct({ reply: Bytes })
export const RedeemResponse = Schema.Struct({ inviterHandle: Handle, inviterAccountId: AccountId })
export type RedeemResponse = typeof RedeemResponse.Type

/** One row of `GET /v1/invites?state=redeemed`: an invite of this account that someone redeemed. */
export const RedeemedInvite = Schema.Struct({
  id: Bytes,
  redeemerHandle: Schema.NullOr(Handle),
  redeemerAccountId: Schema.NullOr(AccountId),
  reply: Schema.NullOr(Bytes),
  redeemedAt: Schema.NullOr(Schema.Number)
})
export type RedeemedInvite = typeof RedeemedInvite.Type
export const RedeemedInvites = Schema.Struct({ invites: Schema.Array(RedeemedInvite) })

/** `POST /v1/contacts/{handle}/accept`, `.../revoke`. */
export const AcceptResponse = Schema.Struct({ accountId: AccountId, handle: Handle, state: Schema.String })
export const RevokeResponse = Schema.Struct({ state: Schema.String, deletedMessages: Schema.optional(Schema.Number) })

/** `PUT /v1/account/ek {ek}`: a newer signed encryption-key record. */
export const PublishEkRequest = Schema.Struct({ ek: EncryptionKeyRecord })
export const PublishEkResponse = Schema.Struct({ seq: Seq })

/** `PUT /v1/presence {blobs: {acct_…: sealed}}` and `GET /v1/presence`. */
export const PutPresenceRequest = Schema.Struct({ blobs: Schema.Record({ key: AccountId, value: Bytes }) })
export const PutPresenceResponse = Schema.Struct({ stored: Seq })
export const PresenceBlob = Schema.Struct({ from: AccountId, blob: Bytes, updatedAt: Schema.Number })
export type PresenceBlob = typeof PresenceBlob.Type
export const PresenceResponse = Schema.Struct({ presence: Schema.Array(PresenceBlob) })

/** Ok bodies whose fields the client does not need. */
export const AnyOk = Schema.Unknown

/** `POST /v1/token/rotate`: the new token the client made (32 random bytes, base64url). */
export const RotateTokenRequest = Schema.Struct({ token: Schema.String })

/** `POST /v1/account/identity`: the continuity statement and the EK record the new identity key signed. */
export const RotateIdentityRequest = Schema.Struct({ rotation: RotationStatement, ek: EncryptionKeyRecord })
export const RotateIdentityResponse = Schema.Struct({ rotated: Schema.Boolean, duplicate: Schema.Boolean })

/** One statement of `GET /v1/identity-rotations`: a contact's identity key changed from `oldIk` to `newIk`. */
export const ContactRotation = Schema.Struct({ ...RotationStatement.fields, accountId: AccountId })
export type ContactRotation = typeof ContactRotation.Type
export const IdentityRotationsResponse = Schema.Struct({ rotations: Schema.Array(ContactRotation) })
