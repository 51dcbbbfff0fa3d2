import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

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
 * The error every boundary (MCP result, CLI exit, HTTP status) understands:
 * a stable code, a one-line message, and a hint saying what to do next.
 */
export class BridgeError extends Data.TaggedError("BridgeError")<{
  readonly code: ErrorCode
  readonly message: string
  readonly hint?: string
}> {
  override toJSON() {
    return { code: this.code, message: this.message, hint: this.hint ?? "" }
  }
}

export const bridgeError = (code: ErrorCode, message: string, hint?: string): BridgeError =>
  new BridgeError(hint === undefined ? { code, message } : { code, message, hint })

/** A failure of the on-disk store. */
export class StoreError extends Data.TaggedError("StoreError")<{
  /** Unsafe: refused for what is there (a link, a FIFO or device, too large, a home owned by someone else). */
  readonly reason: "NotFound" | "Exists" | "Io" | "InvalidPath" | "Unsafe"
  readonly path: string
  readonly cause?: unknown
}> {
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

/** The cross-process lock could not be taken in time. */
export class LockError extends Data.TaggedError("LockError")<{
  readonly name: string
  readonly waitedMs: number
}> {
  override get message(): string {
    return `lock ${this.name} still held after ${this.waitedMs} ms`
  }
}

/** Maps any infrastructure or domain error to the boundary shape. */
export const toBridgeError = (error: BridgeError | StoreError | LockError): BridgeError => {
  switch (error._tag) {
    case "BridgeError":
      return error
    case "StoreError":
      if (error.reason === "Unsafe")
        return bridgeError(
          "HOME_UNSAFE",
          error.message,
          "Something under $SESSION_BRIDGE_HOME is a link, a special file, too large, or not yours; see docs/store.md."
        )
      return error.reason === "InvalidPath"
        ? bridgeError("INVALID_NAME", error.message, "Names may not contain '/', '..', NUL or control characters.")
        : bridgeError(
            "STORE_IO",
            error.message,
            "Check that $SESSION_BRIDGE_HOME is writable by you; run `session-bridge doctor`."
          )
    case "LockError":
      return bridgeError(
        "LOCK_TIMEOUT",
        error.message,
        "Another process holds the lock; retry. A dead holder's lock is recovered automatically."
      )
  }
}
