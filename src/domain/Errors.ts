import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import { codeRows, CodedError, errorBook } from "./ErrorCodes.js"

/** Every stable error code a user, a host or a script may see. Listed with remedies in docs/troubleshooting.md. */
export const ErrorCode = Schema.Literal(
  "INVALID_ARGUMENT",
  "INVALID_NAME",
  "BODY_TOO_LARGE",
  "ARTIFACT_TOO_LARGE",
  "BACKLOG_FULL",
  "RECIPIENT_NOT_FOUND",
  "AMBIGUOUS_RECIPIENT",
  "NOT_A_MEMBER",
  "MESSAGE_NOT_FOUND",
  "THREAD_NOT_FOUND",
  "ARTIFACT_NOT_FOUND",
  "SESSION_NOT_FOUND",
  "IDENTITY_UNRESOLVED",
  "STORE_IO",
  "HOME_UNSAFE",
  "HOME_INVALID",
  "LOCK_TIMEOUT",
  "CONFIG_INVALID",
  "CONFIG_UNWRITABLE",
  "PROVIDER_UNKNOWN",
  "INTERNAL",
  // A send to a contact (the cloud layer) refused before it is queued.
  "CLOUD_NOT_CONFIGURED",
  "NOT_A_CONTACT",
  "CONTACT_REVOKED",
  "RATE_LIMITED"
)
export type ErrorCode = typeof ErrorCode.Type

/**
 * The local bridge's failures, one tagged error per kind, keyed by tag to their stable code. The errors carry
 * data (the name not found, the limit, the candidates), never text that names an MCP tool or a CLI command: each
 * surface renders its own hint (src/mcp/ToolErrors.ts, src/cli/CliHints.ts, src/ui/Http.ts).
 */
export const bridgeErrors = errorBook({
  ...codeRows({
    InvalidArgument: "INVALID_ARGUMENT",
    InvalidName: "INVALID_NAME",
    BodyTooLarge: "BODY_TOO_LARGE",
    ArtifactTooLarge: "ARTIFACT_TOO_LARGE",
    BacklogFull: "BACKLOG_FULL",
    RecipientNotFound: "RECIPIENT_NOT_FOUND",
    AmbiguousRecipient: "AMBIGUOUS_RECIPIENT",
    NotAMember: "NOT_A_MEMBER",
    MessageNotFound: "MESSAGE_NOT_FOUND",
    ThreadNotFound: "THREAD_NOT_FOUND",
    ArtifactNotFound: "ARTIFACT_NOT_FOUND",
    SessionNotFound: "SESSION_NOT_FOUND",
    IdentityUnresolved: "IDENTITY_UNRESOLVED",
    StoreIo: "STORE_IO",
    HomeInvalid: "HOME_INVALID",
    LockTimeout: "LOCK_TIMEOUT",
    ConfigInvalid: "CONFIG_INVALID",
    ConfigUnwritable: "CONFIG_UNWRITABLE",
    ProviderUnknown: "PROVIDER_UNKNOWN",
    Internal: "INTERNAL",
    RemoteNotConfigured: "CLOUD_NOT_CONFIGURED",
    RemoteNotAContact: "NOT_A_CONTACT",
    RemoteContactRevoked: "CONTACT_REVOKED",
    RemoteRateLimited: "RATE_LIMITED"
  })
})

const Coded = CodedError(bridgeErrors)

/** Text the site wrote: a one-line message, and optionally a hint that names no tool and no command. */
type Said = {
  readonly message: string
  readonly hint?: string | undefined
}

/**
 * A remedy that names a way to look something up; each surface says it in its own words (a tool, a command).
 * sessionIds: where session ids are listed. postedSha256: where an artifact's sha256 comes from. threadIds:
 * where thread ids are listed.
 */
export type Remedy = "sessionIds" | "postedSha256" | "threadIds"

/** An argument out of its range or shape. */
export class InvalidArgument extends Coded("InvalidArgument")<Said & { readonly remedy?: Remedy | undefined }> {}

/** A label, channel, artifact name or store key that breaks the naming rules. */
export class InvalidName extends Coded("InvalidName")<Said> {}

/** A message body over MAX_BODY_BYTES: given inline, read from a body file, or read from standard input. */
export class BodyTooLarge extends Coded("BodyTooLarge")<{
  readonly source: "body" | "bodyFile" | "stdin"
  /** Bytes seen; standard input is not read past the limit, so it has none. */
  readonly size?: number | undefined
  readonly limit: number
}> {
  override get message(): string {
    switch (this.source) {
      case "body":
        return `body is ${this.size} bytes of UTF-8; the limit is ${this.limit}`
      case "bodyFile":
        return `body file is ${this.size} bytes; the limit is ${this.limit}`
      case "stdin":
        return `standard input is larger than ${this.limit} bytes`
    }
  }
}

/** An artifact over the cap (SESSION_BRIDGE_MAX_ARTIFACT_BYTES); `file` when it was read from a path. */
export class ArtifactTooLarge extends Coded("ArtifactTooLarge")<{
  readonly size: number
  readonly limit: number
  readonly file?: string | undefined
}> {
  override get message(): string {
    return this.file === undefined
      ? `artifact is ${this.size} bytes; the cap is ${this.limit}`
      : `${this.file} is ${this.size} bytes; the artifact cap is ${this.limit}`
  }
}

/** The recipient has `unread` unread messages, at the cap: nothing was sent. */
export class BacklogFull extends Coded("BacklogFull")<{
  readonly label: string
  readonly sessionId: string
  readonly unread: number
  readonly limit: number
}> {
  override get message(): string {
    return `${this.label} (${this.sessionId}) has ${this.unread} unread messages; the cap is ${this.limit}. Nothing was sent.`
  }
}

/** No session matches an address: a label, a cwd, a full session id, or an id prefix among live sessions. */
export class RecipientNotFound extends Coded("RecipientNotFound")<{
  readonly by: "label" | "cwd" | "sessionId" | "prefix"
  readonly value: string
}> {
  override get message(): string {
    switch (this.by) {
      case "label":
      case "cwd":
        return `no session matches ${this.by} ${JSON.stringify(this.value)}`
      case "sessionId":
        return `no session matches session id ${this.value}`
      case "prefix":
        return `no session matches prefix ${this.value} among live sessions`
    }
  }
}

/** An id prefix matches several sessions (`live`: among live sessions, which are then listed). */
export class AmbiguousRecipient extends Coded("AmbiguousRecipient")<{
  readonly prefix: string
  readonly live: boolean
  readonly candidates: ReadonlyArray<{ readonly sessionId: string; readonly label?: string | undefined }>
}> {
  override get message(): string {
    const n = this.candidates.length
    return this.live
      ? `prefix ${this.prefix} matches ${n} live sessions: ${this.candidates.map((c) => `${c.sessionId} (${c.label ?? ""})`).join(", ")}`
      : `prefix ${this.prefix} matches ${n} sessions`
  }
}

/** The acting session has not joined `channel` (the name without '#'). */
export class NotAMember extends Coded("NotAMember")<{ readonly channel: string }> {
  override get message(): string {
    return `you have not joined #${this.channel}`
  }
}

/** No message (or broadcast, or session) with that id is visible. */
export class MessageNotFound extends Coded("MessageNotFound")<Said> {}

/** No thread with that id is visible. */
export class ThreadNotFound extends Coded("ThreadNotFound")<Said> {}

/** No artifact with that sha256 (`bytes`: its description is stored but not its bytes). */
export class ArtifactNotFound extends Coded("ArtifactNotFound")<{
  readonly sha256: string
  readonly missing: "artifact" | "bytes"
}> {
  override get message(): string {
    return this.missing === "artifact" ? `no artifact ${this.sha256}` : `artifact ${this.sha256} has no bytes stored`
  }
}

/** No session with that id, label or cwd. */
export class SessionNotFound extends Coded("SessionNotFound")<Said> {}

/** The acting session cannot be told (e.g. SESSION_BRIDGE_SESSION_ID is not a ULID). */
export class IdentityUnresolved extends Coded("IdentityUnresolved")<Said> {}

/** A store operation outside the Store port failed (the port's own failures are StoreError). */
export class StoreIo extends Coded("StoreIo")<Said> {}

/** SESSION_BRIDGE_HOME is set to something that cannot be a home. */
export class HomeInvalid extends Coded("HomeInvalid")<Said> {}

/** The cross-process lock could not be taken in time. */
export class LockTimeout extends Coded("LockTimeout")<{ readonly name: string; readonly waitedMs: number }> {
  override get message(): string {
    return `lock ${this.name} still held after ${this.waitedMs} ms`
  }
}

/** A host config file cannot be read as what it should be; nothing was written. */
export class ConfigInvalid extends Coded("ConfigInvalid")<Said> {}

/** A host config file (or its folder) cannot be written. */
export class ConfigUnwritable extends Coded("ConfigUnwritable")<Said> {}

/** No such provider, or none detected. */
export class ProviderUnknown extends Coded("ProviderUnknown")<Said> {}

/** Something that should not happen did. */
export class Internal extends Coded("Internal")<Said> {}

/** A send to a contact, but this home has no cloud account. */
export class RemoteNotConfigured extends Coded("RemoteNotConfigured")<Said> {}
/** A send to a handle that is not an accepted contact (unknown, or not yet accepted). */
export class RemoteNotAContact extends Coded("RemoteNotAContact")<Said> {}
/** A send to a contact that was revoked (by either side). */
export class RemoteContactRevoked extends Coded("RemoteContactRevoked")<Said> {}

/** A remote send over the session's guardrails (sends per minute, replies per inbound message). */
export class RemoteRateLimited extends Coded("RemoteRateLimited")<
  Said & { readonly retryAfterMs?: number | undefined }
> {}

/** What a Store port failure shows: refused files are HOME_UNSAFE, bad keys INVALID_NAME, the rest STORE_IO. */
const storeErrorCodes = {
  NotFound: "STORE_IO",
  Exists: "STORE_IO",
  Io: "STORE_IO",
  InvalidPath: "INVALID_NAME",
  Unsafe: "HOME_UNSAFE"
} as const

/** A failure of the on-disk store. */
export class StoreError extends Data.TaggedError("StoreError")<{
  /** Unsafe: refused for what is there (a link, a FIFO or device, too large, a home owned by someone else). */
  readonly reason: "NotFound" | "Exists" | "Io" | "InvalidPath" | "Unsafe"
  readonly path: string
  readonly cause?: unknown
}> {
  get code(): (typeof storeErrorCodes)[StoreError["reason"]] {
    return storeErrorCodes[this.reason]
  }
  override get message(): string {
    switch (this.reason) {
      case "NotFound":
        return `not found: ${this.path}`
      case "Exists":
        return `already exists: ${this.path}`
      case "InvalidPath":
        return `invalid store path: ${JSON.stringify(this.path)}`
      case "Unsafe":
        return `refused ${this.path}: ${String(this.cause instanceof Error ? this.cause.message : this.cause)}`
      case "Io":
        return `i/o error at ${this.path}: ${String(this.cause instanceof Error ? this.cause.message : this.cause)}`
    }
  }
}

/** Any failure of the local bridge: what the MCP, CLI and dashboard surfaces render. */
export type BridgeFailure =
  | InvalidArgument
  | InvalidName
  | BodyTooLarge
  | ArtifactTooLarge
  | BacklogFull
  | RecipientNotFound
  | AmbiguousRecipient
  | NotAMember
  | MessageNotFound
  | ThreadNotFound
  | ArtifactNotFound
  | SessionNotFound
  | IdentityUnresolved
  | StoreIo
  | HomeInvalid
  | LockTimeout
  | ConfigInvalid
  | ConfigUnwritable
  | ProviderUnknown
  | Internal
  | RemoteNotConfigured
  | RemoteNotAContact
  | RemoteContactRevoked
  | RemoteRateLimited
  | StoreError

/** Whether `u` is a failure of the local bridge. */
export const isBridgeFailure = (u: unknown): u is BridgeFailure => u instanceof StoreError || bridgeErrors.is(u)

/** The stable code of a local failure. */
export const codeOf = (error: BridgeFailure): ErrorCode => error.code
