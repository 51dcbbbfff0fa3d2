import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { BridgeFailure } from "../domain/Errors.js"
import * as Guard from "./Guard.js"

/** Headers on every dashboard response: nothing cached, framed, sniffed or sent as a referrer. */
export const BASE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin"
} as const

/** The page may load only its own script, style, images and event stream. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Artifact bytes render in a sandbox (an opaque origin), so a hostile file cannot read the dashboard. */
export const ARTIFACT_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"

export const jsonResponse = (body: unknown, status = 200) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { ...BASE_HEADERS, "content-security-policy": PAGE_CSP } })

/**
 * The HTTP status of each local failure the dashboard may meet: bad input 400, an unknown id 404, the rest 500
 * (a Store failure by its code: a bad key is bad input).
 */
export const STATUS_OF: { readonly [T in Exclude<BridgeFailure["_tag"], "StoreError">]: number } = {
  InvalidArgument: 400,
  InvalidName: 400,
  BodyTooLarge: 500,
  ArtifactTooLarge: 500,
  BacklogFull: 500,
  RecipientNotFound: 500,
  AmbiguousRecipient: 500,
  NotAMember: 500,
  MessageNotFound: 404,
  ThreadNotFound: 404,
  ArtifactNotFound: 404,
  SessionNotFound: 404,
  IdentityUnresolved: 500,
  StoreIo: 500,
  HomeInvalid: 500,
  LockTimeout: 500,
  ConfigInvalid: 500,
  ConfigUnwritable: 500,
  ProviderUnknown: 500,
  Internal: 500,
  RemoteNotConfigured: 409,
  RemoteNotAContact: 403,
  RemoteContactRevoked: 403,
  RemoteRateLimited: 429
}

export const statusOf = (error: BridgeFailure): number =>
  error._tag === "StoreError" ? (error.code === "INVALID_NAME" ? 400 : 500) : STATUS_OF[error._tag]

/**
 * A local failure as an HTTP answer: its status and `{ code, message, hint }`. The dashboard is read-only and
 * shows no remedy, so the hint is the site's own (one that names no tool or command), if any.
 */
export const errorResponse = (error: BridgeFailure) =>
  jsonResponse(
    { code: error.code, message: error.message, hint: "hint" in error ? (error.hint ?? "") : "" },
    statusOf(error)
  )

export const rejection = (r: Guard.Rejection, extra: Record<string, string> = {}) =>
  HttpServerResponse.text(`${r.status} ${r.reason}\n`, {
    status: r.status,
    headers: { ...BASE_HEADERS, "content-security-policy": "default-src 'none'", ...extra }
  })

/** Rejects a request with a foreign Host, without the token, or with a method other than GET. */
export const guard = (options: { readonly token: string; readonly port: number }) =>
  HttpMiddleware.make((app) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const refused = Guard.check({
        method: request.method,
        host: request.headers["host"],
        token: Guard.offeredToken(request.url, request.headers["authorization"]),
        expectedToken: options.token,
        port: options.port
      })
      if (refused !== undefined) return rejection(refused, refused.status === 405 ? { allow: "GET" } : {})
      return yield* app
    })
  )
