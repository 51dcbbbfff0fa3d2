import * as Schema from "effect/Schema"
import { codeRows, errorBook } from "../domain/ErrorCodes.js"

/**
 * The relay store's failures. Each kind is its own tagged error; its stable `code` (the upper-case code on the
 * relay's HTTP wire, CONTRACT.md "Cloud layer") comes from one table, `relayErrorCodes`, keyed by the tag.
 */
export const relayErrorCodes = {
  HandleTaken: "HANDLE_TAKEN",
  InviteInvalid: "INVITE_INVALID",
  InviteLimit: "RATE_LIMITED",
  NotAContact: "NOT_A_CONTACT",
  ContactRevoked: "CONTACT_REVOKED",
  RecipientQuota: "RECIPIENT_QUOTA",
  RelayAuth: "RELAY_AUTH",
  AccountNotFound: "ACCOUNT_NOT_FOUND",
  EkSeqStale: "EK_SEQ_STALE",
  RelayStoreIo: "RELAY_STORE_IO"
} as const
/** The table as an error book (src/domain/ErrorCodes.ts): tags, codes, `codeOf` and `is`. */
export const relayErrors = errorBook(codeRows(relayErrorCodes))
export type RelayErrorTag = keyof typeof relayErrorCodes
export type RelayErrorCode = (typeof relayErrorCodes)[RelayErrorTag]

/** The handle is already used on this relay (handles are not secret). */
export class HandleTaken extends Schema.TaggedError<HandleTaken>()("HandleTaken", { handle: Schema.String }) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return `the handle ${JSON.stringify(this.handle)} is taken on this relay`
  }
}

/** The invite is unknown, used, expired or revoked: one answer for all, so a guesser learns nothing. */
export class InviteInvalid extends Schema.TaggedError<InviteInvalid>()("InviteInvalid", {}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return "the invite is unknown, already used, expired or revoked"
  }
}

/** The account already has as many open invites as it may (CLOUD.md 2.3). */
export class InviteLimit extends Schema.TaggedError<InviteLimit>()("InviteLimit", { limit: Schema.Number }) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return `at most ${this.limit} open invites per account: revoke one or wait until one is used or expires`
  }
}

/** There is no active contact between the pair. */
export class NotAContact extends Schema.TaggedError<NotAContact>()("NotAContact", {}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return "there is no active contact between these accounts"
  }
}

/** The contact between the pair was revoked; a new invite is needed. */
export class ContactRevoked extends Schema.TaggedError<ContactRevoked>()("ContactRevoked", {}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return "the contact was revoked"
  }
}

/** The recipient's spool (messages) or pending blobs (bytes) are full. */
export class RecipientQuota extends Schema.TaggedError<RecipientQuota>()("RecipientQuota", {
  what: Schema.Literal("messages", "blobs"),
  limit: Schema.Number
}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return this.what === "messages"
      ? `the recipient already has ${this.limit} messages waiting`
      : `the recipient already has ${this.limit} bytes of attachments waiting`
  }
}

/** The token is unknown or revoked, or its account is disabled. */
export class RelayAuth extends Schema.TaggedError<RelayAuth>()("RelayAuth", {}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return "the token is missing, wrong or revoked"
  }
}

/** No account with that id (or it is disabled). */
export class AccountNotFound extends Schema.TaggedError<AccountNotFound>()("AccountNotFound", {
  account: Schema.String
}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return `no such account: ${this.account}`
  }
}

/** A published encryption-key record must carry a higher `seq` than the one stored (no rollback). */
export class EkSeqStale extends Schema.TaggedError<EkSeqStale>()("EkSeqStale", {
  stored: Schema.Number,
  given: Schema.Number
}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    return `the key record's seq ${this.given} is not above the stored ${this.stored}`
  }
}

/** The database failed (connection, disk, constraint the store did not expect). */
export class RelayStoreIo extends Schema.TaggedError<RelayStoreIo>()("RelayStoreIo", {
  op: Schema.String,
  cause: Schema.Defect
}) {
  get code(): RelayErrorCode {
    return relayErrors.codeOf(this)
  }
  override get message(): string {
    const cause = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `relay database error in ${this.op}: ${cause}`
  }
}

export type RelayStoreError =
  | HandleTaken
  | InviteInvalid
  | InviteLimit
  | NotAContact
  | ContactRevoked
  | RecipientQuota
  | RelayAuth
  | AccountNotFound
  | EkSeqStale
  | RelayStoreIo

/** The stable code of any relay store error. */
export const relayErrorCode = (error: RelayStoreError): RelayErrorCode => relayErrors.codeOf(error)
