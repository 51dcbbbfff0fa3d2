import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import type { CloudCrypto } from "../protocol/CloudCrypto.js"
import { errorParts, recoverFailures } from "./ErrorResponse.js"
import { ack, inbox, messageServices, type Reply, send } from "./MessageHandlers.js"
import type { RateLimiter } from "./RateLimiter.js"
import type { RelayStore } from "./RelayStore.js"
import { logRequestWith, requestLineWriter } from "./RequestLog.js"
import type { RequestView } from "./RequestView.js"
import type { Waiters } from "./Waiters.js"

/** An answer as node writes it: the status, the headers and the JSON text (the server adds its length). */
export interface HotAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * The relay's hot routes, served in front of the router (docs/adr/0050-relay-hot-routes-in-front-of-the-router.md):
 * `POST /v1/messages`, `GET /v1/inbox` and `POST /v1/inbox/ack`. The server hands every request to `serve` first;
 * it answers `undefined` for any other route (the router serves it), else it has started the request and returns
 * what cancels it (the client went away before the answer). The handlers are the router's own (MessageHandlers.ts),
 * with the same failures, codes, limits and log line; what goes is the platform's request and response objects,
 * the router's matching and the fibers around them: one fiber per request on a runtime built once.
 */
export class HotRoutes extends Context.Tag("session-bridge/RelayHotRoutes")<
  HotRoutes,
  {
    readonly serve: (
      method: string,
      view: RequestView,
      respond: (answer: HotAnswer) => void
    ) => (() => void) | undefined
  }
>() {}

type Services = RelayStore | Waiters | RateLimiter | CloudCrypto

const JSON_TYPE = "application/json"

/** A reply or a failure as node's answer: the headers the platform's `unsafeJson` responses carry. */
const answer = (status: number, body: unknown, headers: Record<string, string> = {}): HotAnswer => ({
  status,
  headers: { ...headers, "content-type": JSON_TYPE },
  body: JSON.stringify(body)
})

const failed = (error: unknown): HotAnswer => {
  const parts = errorParts(error)
  return answer(parts.status, parts.body, parts.headers)
}

const pathOf = (url: string) => {
  const q = url.indexOf("?")
  return q < 0 ? url : url.slice(0, q)
}

/** The handler of a hot route, or undefined for every other method and path. */
const pick = (method: string, url: string) => {
  const path = pathOf(url)
  if (method === "POST") return path === "/v1/messages" ? send : path === "/v1/inbox/ack" ? ack : undefined
  return method === "GET" && path === "/v1/inbox" ? inbox : undefined
}

export const make = Effect.map(
  Effect.all([Effect.runtime<Services>(), messageServices, requestLineWriter]),
  ([runtime, services, writeLine]) => {
    const runFork = Runtime.runFork(runtime)
    const logRequest = logRequestWith(writeLine)
    return HotRoutes.of({
      serve: (method, view, respond) => {
        const handler = pick(method, view.url)
        if (handler === undefined) return undefined
        const served = Effect.flatMap(Clock.currentTimeMillis, (started) =>
          recoverFailures(
            Effect.map(handler(services, view) as Effect.Effect<Reply, unknown>, (r) => answer(r.status, r.body)),
            failed
          ).pipe(
            Effect.tap((a) => logRequest(method, view.url, a.status, started)),
            Effect.map(respond)
          )
        )
        const fiber = runFork(served)
        return () => fiber.unsafeInterruptAsFork(FiberId.none)
      }
    })
  }
)

export const layer: Layer.Layer<HotRoutes, never, Services> = Layer.effect(HotRoutes, make)
