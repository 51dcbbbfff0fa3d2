import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { renderFailures } from "./ErrorResponse.js"
import { NotFound } from "./HttpErrors.js"
import { RelayStore } from "./RelayStore.js"
import { logRequest } from "./RequestLog.js"
import { accountRoutes } from "./RoutesAccounts.js"
import { blobRoutes } from "./RoutesBlobs.js"
import { contactRoutes } from "./RoutesContacts.js"
import { inviteRoutes } from "./RoutesInvites.js"
import { messageRoutes } from "./RoutesMessages.js"
import { rotationRoutes } from "./RoutesRotation.js"
import { Waiters } from "./Waiters.js"

/** Every route of docs/relay-api.md; an unknown path is 404 `NOT_FOUND`. */
export const router = HttpRouter.concatAll(
  accountRoutes,
  inviteRoutes,
  contactRoutes,
  messageRoutes,
  blobRoutes,
  rotationRoutes
)

/**
 * The relay as one HTTP app: every failure rendered as `{code, message, hint}`, and one JSON log line per request
 * with method, path, status and duration (never a header, a body or a token).
 */
export const app = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const started = yield* Clock.currentTimeMillis
  const response = yield* renderFailures(
    router.pipe(Effect.catchTag("RouteNotFound", () => Effect.fail(new NotFound({ what: "no such route" }))))
  )
  yield* logRequest(request.method, request.url, response.status, started)
  return response
})

/** Every 60 s (and once at start): the store's idempotent expiry sweep; a failed sweep is logged and retried. */
const sweepForever = Effect.gen(function* () {
  const store = yield* RelayStore
  const once = store.sweep.pipe(
    Effect.tap((swept) =>
      swept.spoolExpired + swept.invitesDropped + swept.blobsDropped + swept.sentStatusDropped > 0
        ? Effect.logInfo("swept").pipe(Effect.annotateLogs({ ...swept }))
        : Effect.void
    ),
    Effect.catchAll((error) => Effect.logWarning("sweep_failed").pipe(Effect.annotateLogs({ code: error.code })))
  )
  return yield* Effect.repeat(once, Schedule.spaced("60 seconds"))
})

/** Where the server listens, as a URL. */
const listeningUrl = Effect.map(HttpServer.HttpServer, ({ address }) =>
  address._tag === "TcpAddress"
    ? `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
    : `unix:${address.path}`
)

/**
 * Starts the relay's own work once the server is bound, in this order: the first log line says where it listens
 * (tests and operators read the port from it), then the migrations this start applied if any, then
 * `afterListening` (the registration-code notice), then the sweeper fiber. On stop the waiters close: parked
 * long-polls answer at once instead of holding the shutdown.
 */
const startup = <R>(details: Record<string, unknown>, afterListening: Effect.Effect<void, never, R>) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const url = yield* listeningUrl
      yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({ url, ...details }))
      const { migrated } = yield* RelayStore
      if (migrated.length > 0) yield* Effect.logInfo("migrated").pipe(Effect.annotateLogs({ applied: migrated }))
      yield* afterListening
      yield* Effect.forkScoped(sweepForever)
      const waiters = yield* Waiters
      yield* Effect.addFinalizer(() => waiters.close)
    })
  )

/**
 * Serves the app on the provided HttpServer, with the sweeper, and logs where it listens. The platform's tracing
 * middleware is off: the relay exports no spans, and building one per request (the URL parsed, every header
 * redacted and copied into attributes) was CPU spent on every request for nothing.
 */
export const layer = <R = never>(
  details: Record<string, unknown>,
  afterListening: Effect.Effect<void, never, R> = Effect.void
) =>
  Layer.merge(
    HttpServer.serve(app).pipe(HttpMiddleware.withTracerDisabledWhen(() => true)),
    startup(details, afterListening)
  )
