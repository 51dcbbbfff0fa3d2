import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { BridgeError } from "../domain/Errors.js"
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

const statusOf = (error: BridgeError): number => {
  switch (error.code) {
    case "INVALID_ARGUMENT":
    case "INVALID_NAME":
      return 400
    case "MESSAGE_NOT_FOUND":
    case "THREAD_NOT_FOUND":
    case "ARTIFACT_NOT_FOUND":
    case "SESSION_NOT_FOUND":
      return 404
    default:
      return 500
  }
}

/** A BridgeError as an HTTP answer: its status and `{ code, message, hint }`. */
export const errorResponse = (error: BridgeError) => jsonResponse(error.toJSON(), statusOf(error))

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
