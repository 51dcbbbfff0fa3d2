import * as Schema from "effect/Schema"
import { codeRows, errorBook } from "../domain/ErrorCodes.js"

/**
 * Failures of the relay's HTTP layer (the store's own are in RelayErrors.ts). Each kind is its own tagged error;
 * its stable `code` comes from `httpErrorCodes`, keyed by the tag (read through `httpErrors`, the product's one
 * tag → code mechanism, src/domain/ErrorCodes.ts). ErrorResponse.ts renders every one of them.
 */
export const httpErrorCodes = {
  BadRequest: "INVALID_ARGUMENT",
  TooLarge: "PAYLOAD_TOO_LARGE",
  RateLimited: "RATE_LIMITED",
  RegistrationCodeInvalid: "REGISTRATION_CODE_INVALID",
  NotFound: "NOT_FOUND",
  BlobHashMismatch: "BLOB_HASH_MISMATCH"
} as const
/** The table as an error book: tags, codes, `codeOf` and `is`. */
export const httpErrors = errorBook(codeRows(httpErrorCodes))
export type HttpErrorTag = keyof typeof httpErrorCodes
export type HttpErrorCode = (typeof httpErrorCodes)[HttpErrorTag]

/** The request does not have the shape the route takes (body, path or query). */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", { detail: Schema.String }) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return `bad request: ${this.detail}`
  }
}

/** A body, sealed envelope or blob over its cap. */
export class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", {
  what: Schema.String,
  limit: Schema.Number
}) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return `the ${this.what} is over its cap of ${this.limit} bytes`
  }
}

/** A token bucket of this replica is empty; `retryAfterSec` says when one more request fits. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  what: Schema.String,
  retryAfterSec: Schema.Number
}) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return `too many ${this.what}: retry after ${this.retryAfterSec} s`
  }
}

/** Registration on this relay needs a code, and the request had none or another one. */
export class RegistrationCodeInvalid extends Schema.TaggedError<RegistrationCodeInvalid>()(
  "RegistrationCodeInvalid",
  {}
) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return "this relay needs a registration code, and the one given is missing or wrong"
  }
}

/** No such route, or no such blob or delivery state for this account. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { what: Schema.String }) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return `not found: ${this.what}`
  }
}

/** An uploaded blob's SHA-256 is not the id it was uploaded under. */
export class BlobHashMismatch extends Schema.TaggedError<BlobHashMismatch>()("BlobHashMismatch", {}) {
  get code(): HttpErrorCode {
    return httpErrors.codeOf(this)
  }
  override get message(): string {
    return "the uploaded bytes do not hash to the blob id in the path"
  }
}

export type HttpError = BadRequest | TooLarge | RateLimited | RegistrationCodeInvalid | NotFound | BlobHashMismatch
