import * as Data from "effect/Data"
import { CodedError, errorBook } from "../domain/ErrorCodes.js"

/*
 * The cloud client's failures (docs/cloud-client.md). Each kind is its own tagged error; its stable `code` comes
 * from one table keyed by the tag, and its `hint` says what to do next. None of these belong to the local
 * BridgeFailure ladder; the CLI prints `error CODE: message` and the hint for any of them.
 */

export const CLOUD_ERRORS = {
  CloudNotConfigured: {
    code: "CLOUD_NOT_CONFIGURED",
    hint: "Run `session-bridge cloud register --relay URL --handle NAME` first."
  },
  RelayUrlInvalid: {
    code: "INVALID_ARGUMENT",
    hint: "Give an https:// URL, or http:// only for a relay on this machine (127.0.0.1, localhost, [::1])."
  },
  RelayUnreachable: { code: "RELAY_UNREACHABLE", hint: "Check the network and the relay URL; queued mail is kept." },
  RelayAuth: {
    code: "RELAY_AUTH",
    hint: "The token is missing, wrong or revoked: `session-bridge cloud register` again, or ask the operator."
  },
  NotAContact: { code: "NOT_A_CONTACT", hint: "Invite, add and accept the contact first." },
  ContactRevoked: { code: "CONTACT_REVOKED", hint: "The contact was revoked; a new invite is needed." },
  InviteInvalid: { code: "INVITE_INVALID", hint: "Ask the inviter for a new code (single use, 24 h)." },
  HandleTaken: { code: "HANDLE_TAKEN", hint: "Register with another handle." },
  PayloadTooLarge: { code: "PAYLOAD_TOO_LARGE", hint: "Send less: sealed envelopes are at most 512 KiB." },
  RateLimited: { code: "RATE_LIMITED", hint: "Wait for the retry-after time, then retry." },
  RecipientQuota: {
    code: "RECIPIENT_QUOTA",
    hint: "The recipient's daemon has not fetched its mail yet; the message is retried with backoff."
  },
  RelayRefused: { code: "RELAY_REFUSED", hint: "The relay refused the request; its message says why." },
  RelayProtocol: {
    code: "RELAY_PROTOCOL",
    hint: "The relay answered something this client does not understand: check the URL and the relay's version."
  },
  AlreadyRegistered: {
    code: "CLOUD_ALREADY_REGISTERED",
    hint: "Run `session-bridge cloud logout` first to register this home again."
  },
  CloudStateCorrupt: {
    code: "CLOUD_STATE_CORRUPT",
    hint: "A file under <home>/cloud/ is unreadable; see docs/cloud-client.md before removing anything."
  },
  KeyFileExposed: {
    code: "CLOUD_KEYS_EXPOSED",
    hint: "Run `session-bridge doctor --fix` (or chmod 600 the file) before starting the daemon."
  },
  DaemonRunning: {
    code: "DAEMON_RUNNING",
    hint: "One daemon per home: stop the running one first (its pid is in <home>/cloud/daemon.pid)."
  },
  KeyChanged: {
    code: "KEY_CHANGED",
    hint: "The contact's identity key is not the pinned one and no rotation signed by it was seen: exchange a new invite."
  },
  ArtifactFetchFailed: {
    code: "ARTIFACT_FETCH_FAILED",
    hint: "The batch is retried on the next poll; nothing was written or acked."
  }
} as const

export type CloudErrorTag = keyof typeof CLOUD_ERRORS
export type CloudErrorCode = (typeof CLOUD_ERRORS)[CloudErrorTag]["code"]

/** The table as an error book: tags, codes, `codeOf` and `is`. */
export const cloudErrors = errorBook(CLOUD_ERRORS)

const CloudFailure = <Tag extends CloudErrorTag>(tag: Tag) =>
  class extends CodedError(cloudErrors)(tag)<{ readonly detail: string }> {
    get hint(): string {
      return CLOUD_ERRORS[tag].hint
    }
    override get message(): string {
      return this.detail
    }
  }

/** No `cloud register` on this home. */
export class CloudNotConfigured extends CloudFailure("CloudNotConfigured") {}
/** A relay URL that is not http(s), or plain http to a host that is not loopback. */
export class RelayUrlInvalid extends CloudFailure("RelayUrlInvalid") {}
/** A network error: no answer from the relay. Retried; the message stays queued. */
export class RelayUnreachable extends CloudFailure("RelayUnreachable") {}
/** 401: the token is missing, wrong or revoked. */
export class RelayAuth extends CloudFailure("RelayAuth") {}
/** 403: no active contact between the pair. */
export class NotAContact extends CloudFailure("NotAContact") {}
/** 403: the contact was revoked. */
export class ContactRevoked extends CloudFailure("ContactRevoked") {}
/** 404: the invite is unknown, used, expired or revoked. */
export class InviteInvalid extends CloudFailure("InviteInvalid") {}
/** 409: the handle is taken on this relay. */
export class HandleTaken extends CloudFailure("HandleTaken") {}
/** 413: the envelope or blob is over its cap. */
export class PayloadTooLarge extends CloudFailure("PayloadTooLarge") {}
/** 507: the recipient's spool or blob quota is full. */
export class RecipientQuota extends CloudFailure("RecipientQuota") {}
/** Any other refusal the relay answered with `{code, message, hint}` (kept as the relay said it). */
export class RelayRefused extends CloudFailure("RelayRefused") {}
/** The relay's answer does not have the expected shape. */
export class RelayProtocol extends CloudFailure("RelayProtocol") {}
/** This home already has cloud credentials. */
export class AlreadyRegistered extends CloudFailure("AlreadyRegistered") {}
/** A cloud state file does not decode. */
export class CloudStateCorrupt extends CloudFailure("CloudStateCorrupt") {}
/** A key or credentials file is readable by the group or others. */
export class KeyFileExposed extends CloudFailure("KeyFileExposed") {}
/** Another daemon already runs on this home. */
export class DaemonRunning extends CloudFailure("DaemonRunning") {}
/** A contact's identity key differs from the pinned one without a continuity statement. */
export class KeyChanged extends CloudFailure("KeyChanged") {}
/** An artifact of an inbound message could not be fetched, decrypted or checked. */
export class ArtifactFetchFailed extends CloudFailure("ArtifactFetchFailed") {}

/**
 * A protocol check (src/protocol) that refused an invite, a key or a statement, carried to the CLI with the
 * protocol's own stable code (INVITE_INVALID, INVITE_CODE_INVALID, INVITE_EXPIRED, KEY_RECORD_INVALID, ...).
 */
export class CloudProtocolRefused extends Data.TaggedError("CloudProtocolRefused")<{
  readonly code: string
  readonly detail: string
  readonly hint: string
}> {
  override get message(): string {
    return this.detail
  }
}

const PROTOCOL_HINTS: Record<string, string> = {
  INVITE_CODE_INVALID: "Copy the whole code (sb1-XXXXX-...); letters are case-insensitive.",
  INVITE_EXPIRED: "Ask the inviter for a new code (single use, 24 h).",
  INVITE_INVALID: "Ask the inviter for a new code; if it happens again, compare safety numbers another way."
}

/** A protocol failure as a coded CLI error. */
export const fromProtocol = (error: { readonly code: string; readonly message: string }) =>
  new CloudProtocolRefused({
    code: error.code,
    detail: error.message,
    hint: PROTOCOL_HINTS[error.code] ?? "See docs/troubleshooting.md for this code."
  })

/** 429: too many requests; `retryAfterMs` is the relay's Retry-After. */
export class RateLimited extends CodedError(cloudErrors)("RateLimited")<{
  readonly detail: string
  readonly retryAfterMs: number
}> {
  get hint(): string {
    return CLOUD_ERRORS.RateLimited.hint
  }
  override get message(): string {
    return this.detail
  }
}

/** Every failure a relay call can give. */
export type RelayError =
  | RelayUnreachable
  | RelayAuth
  | NotAContact
  | ContactRevoked
  | InviteInvalid
  | HandleTaken
  | PayloadTooLarge
  | RateLimited
  | RecipientQuota
  | RelayRefused
  | RelayProtocol
