import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TooLarge } from "./HttpErrors.js"

/**
 * What a route reads of a request: its headers, the peer's address, the query and the body. The router's routes see
 * the platform's request through it, the hot routes (HotRoutes.ts) node's request, so both run the same checks.
 */
export interface RequestView {
  /** A header by its lowercase name (the first one when repeated). */
  readonly header: (name: string) => string | undefined
  readonly remoteAddress: string | undefined
  /** The request target: path and query string. */
  readonly url: string
  /** The body as UTF-8 text; over `maxBytes` (declared or read) is `TooLarge`. */
  readonly text: (maxBytes: number) => Effect.Effect<string, TooLarge>
}

/** The body over its cap, as every route answers it. */
export const bodyTooLarge = (maxBytes: number) => new TooLarge({ what: "request body", limit: maxBytes })

/** The query string as the platform reads it: a repeated key is an array of its values. */
export const searchParams = (url: string): Record<string, string | Array<string>> => {
  const at = url.indexOf("?")
  const out: Record<string, string | Array<string>> = {}
  if (at < 0) return out
  for (const [key, value] of new URLSearchParams(url.slice(at + 1))) {
    const entry = out[key]
    if (entry === undefined) out[key] = value
    else if (Array.isArray(entry)) entry.push(value)
    else out[key] = [entry, value]
  }
  return out
}

/** The platform's request as a view: the declared length checked first, then the stream read up to the cap. */
export const fromServerRequest = (request: HttpServerRequest.HttpServerRequest): RequestView => ({
  header: (name) => request.headers[name],
  remoteAddress: Option.getOrUndefined(request.remoteAddress),
  url: request.url,
  text: (maxBytes) => {
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > maxBytes) return Effect.fail(bodyTooLarge(maxBytes))
    return request.text.pipe(
      HttpServerRequest.withMaxBodySize(Option.some(maxBytes)),
      Effect.mapError(() => bodyTooLarge(maxBytes))
    )
  }
})

/** The current request, as a view. */
export const currentView = Effect.map(HttpServerRequest.HttpServerRequest, fromServerRequest)
