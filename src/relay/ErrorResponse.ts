import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * The one place a failure becomes an HTTP answer: `{code, message, hint}` with the status of CONTRACT.md's table.
 * Every relay error (store, HTTP layer, the protocol checks the relay runs) carries its stable `code`; anything
 * else is a 500 `INTERNAL` whose message names nothing of the request.
 */
const table: Record<string, { readonly status: number; readonly hint: string }> = {
  INVALID_ARGUMENT: { status: 400, hint: "Check the request against docs/relay-api.md." },
  REGISTRATION_PROOF_INVALID: {
    status: 400,
    hint: "Sign a fresh proof for this relay's id (GET /v1/info) and check the machine's clock."
  },
  ROTATION_INVALID: {
    status: 400,
    hint: "Sign the statement with the account's current identity key and the new one (cloud rotate-identity)."
  },
  KEY_RECORD_INVALID: { status: 400, hint: "Publish an encryption-key record signed by the account's identity key." },
  BLOB_HASH_MISMATCH: { status: 400, hint: "Upload under the SHA-256 (hex) of the exact ciphertext bytes." },
  RELAY_AUTH: { status: 401, hint: "Register again (`session-bridge cloud register`) or ask the relay's operator." },
  REGISTRATION_CODE_INVALID: { status: 403, hint: "Ask the relay's operator for its registration code." },
  NOT_A_CONTACT: { status: 403, hint: "Invite, add and accept the contact first." },
  CONTACT_REVOKED: { status: 403, hint: "The contact was revoked; a new invite is needed." },
  NOT_FOUND: { status: 404, hint: "Check the path; blobs are served to their grantees only." },
  INVITE_INVALID: { status: 404, hint: "Ask the inviter for a new code (single use, 24 h)." },
  ACCOUNT_NOT_FOUND: { status: 404, hint: "Check the handle with the contact." },
  HANDLE_TAKEN: { status: 409, hint: "Register with another handle." },
  EK_SEQ_STALE: { status: 409, hint: "Publish the next record with a higher seq." },
  PAYLOAD_TOO_LARGE: { status: 413, hint: "Sealed envelopes are at most 512 KiB decoded; artifacts 10 MiB." },
  RATE_LIMITED: { status: 429, hint: "Wait for Retry-After seconds, then retry." },
  RECIPIENT_QUOTA: { status: 507, hint: "Retry with backoff: the recipient's daemon has not fetched its mail yet." },
  RELAY_STORE_IO: { status: 503, hint: "Retry with backoff; the operator should check the relay's log." }
}

interface Coded {
  readonly code: string
  readonly message: string
  readonly retryAfterSec?: number
}

const isCoded = (error: unknown): error is Coded =>
  typeof error === "object" &&
  error !== null &&
  typeof (error as { code?: unknown }).code === "string" &&
  (error as { code: string }).code in table

/** The status a code answers with (500 for a code the relay does not know). */
export const statusOf = (code: string): number => table[code]?.status ?? 500

/** The body and status of a failure. */
export const describe = (error: unknown): { readonly status: number; readonly body: Coded & { hint: string } } => {
  if (!isCoded(error)) {
    return {
      status: 500,
      body: { code: "INTERNAL", message: "the relay failed unexpectedly", hint: "Retry; the operator has the log." }
    }
  }
  const entry = table[error.code] ?? { status: 500, hint: "" }
  // The database's own message can name table contents; the wire gets the kind of failure only.
  const message = error.code === "RELAY_STORE_IO" ? "the relay's database failed" : error.message
  return { status: entry.status, body: { code: error.code, message, hint: entry.hint } }
}

/** A failure as status, JSON body and headers; a 429 carries `Retry-After`. */
export const errorParts = (
  error: unknown
): { readonly status: number; readonly body: Coded & { hint: string }; readonly headers: Record<string, string> } => {
  const { status, body } = describe(error)
  const retryAfter = isCoded(error) && typeof error.retryAfterSec === "number" ? error.retryAfterSec : undefined
  return {
    status,
    body: { code: body.code, message: body.message, hint: body.hint },
    headers: retryAfter === undefined ? {} : { "retry-after": String(Math.max(1, Math.ceil(retryAfter))) }
  }
}

/** A failure as the HTTP answer; a 429 carries `Retry-After`. */
export const errorResponse = (error: unknown): HttpServerResponse.HttpServerResponse => {
  const { status, body, headers } = errorParts(error)
  return HttpServerResponse.unsafeJson(body, { status, headers })
}

/** Renders every failure of a handler with `render`, and logs a defect (never a body) before answering 500. */
export const recoverFailures = <A, R>(
  handler: Effect.Effect<A, unknown, R>,
  render: (error: unknown) => A
): Effect.Effect<A, never, R> =>
  Effect.catchAllCause(handler, (cause) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      const { status } = describe(failure.value)
      const logged =
        status >= 500
          ? Effect.logError("request_failed").pipe(
              Effect.annotateLogs({ code: describe(failure.value).body.code, error: String(failure.value) })
            )
          : Effect.void
      return Effect.as(logged, render(failure.value))
    }
    return Effect.as(
      Effect.logError("request_defect").pipe(Effect.annotateLogs({ defect: Cause.pretty(cause).slice(0, 2000) })),
      render(undefined)
    )
  })

/** Renders every failure of a handler as its HTTP answer (see `recoverFailures`). */
export const renderFailures = <R>(
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> => recoverFailures(handler, errorResponse)
