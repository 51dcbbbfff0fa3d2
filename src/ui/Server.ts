import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type BridgeFailure, Internal, InvalidArgument } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { formatIso } from "../domain/UtcTime.js"
import { readJson, writeJson } from "../services/store/Documents.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"
import type { Dashboard } from "./Dashboard.js"
import { guard } from "./Http.js"
import type { ChangeFeed } from "./Live.js"
import { router } from "./Routes.js"
import { type SecureRandom, token as newToken } from "../services/SecureRandom.js"

/** Where the dashboard remembers its last port and token (see `reusable` below). */
export const SERVER_RECORD = Layout.uiServerRecord

const ServerRecord = Schema.Struct({
  v: Schema.Literal(1),
  port: Schema.Int.pipe(Schema.between(1, 65535)),
  token: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{48}$/)),
  pid: Schema.Int,
  startedAt: Schema.String
})

export interface UiOptions {
  /** An explicit port; none means the previous run's port if it may be reused, else any free port. */
  readonly port: Option.Option<number>
}

export interface UiAddress {
  readonly url: string
  readonly host: "127.0.0.1"
  readonly port: number
  readonly token: string
  readonly pid: number
}

/** Builds the HTTP server bound to 127.0.0.1 on `port` (0 = any free port). */
export type ServerFactory = (port: number) => Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError>

/** A token may be reused by a restart for this long; after that a fresh one is drawn. */
const REUSE_MS = 24 * 60 * 60 * 1000

/**
 * The previous run's port and token, when a restart may take them over: the previous server has exited,
 * it ran recently, and the caller asks for the same port (or for none). Open pages then reconnect on their own.
 */
const reusable = (requested: Option.Option<number>) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const now = yield* DateTime.now
    const found = yield* readJson(SERVER_RECORD, ServerRecord).pipe(Effect.orElseSucceed(() => Option.none()))
    return Option.filter(found, (r) => {
      const started = DateTime.make(r.startedAt)
      return (
        r.pid !== host.pid &&
        !host.isPidAlive(r.pid) &&
        Option.isSome(started) &&
        DateTime.toEpochMillis(now) - DateTime.toEpochMillis(started.value) < REUSE_MS &&
        Option.match(requested, { onNone: () => true, onSome: (p) => p === r.port })
      )
    })
  })

const bind = (factory: ServerFactory, port: number) =>
  Effect.map(Layer.build(factory(port)), (ctx) => Context.get(ctx, HttpServer.HttpServer))

/** Binds the server, preferring the previous run's port and token; a port asked for explicitly must be free. */
const listen = (factory: ServerFactory, options: UiOptions) =>
  Effect.gen(function* () {
    const previous = yield* reusable(options.port)
    const wanted = Option.getOrElse(options.port, () =>
      Option.match(previous, { onNone: () => 0, onSome: (r) => r.port })
    )
    const first = yield* bind(factory, wanted).pipe(Effect.either)
    if (first._tag === "Right") {
      const token = Option.isSome(previous) && previous.value.port === wanted ? previous.value.token : yield* newToken()
      return { server: first.right, token }
    }
    if (Option.isSome(options.port)) {
      return yield* new InvalidArgument({
        message: `cannot listen on 127.0.0.1:${wanted}: ${String(first.left.cause instanceof Error ? first.left.cause.message : first.left.cause)}`,
        hint: "Choose another --port, or leave it out to use a free one."
      })
    }
    const server = yield* bind(factory, 0).pipe(
      Effect.mapError((e) => new Internal({ message: `cannot listen on 127.0.0.1: ${String(e.cause)}` }))
    )
    return { server, token: yield* newToken() }
  })

/** Opens `url` in the desktop's browser; a failure is only reported. */
export const openBrowser = (url: string): Effect.Effect<void, never, HostEnv | CommandExecutor.CommandExecutor> =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const graphical =
      host.platform !== "linux" || Option.isSome(host.get("DISPLAY")) || Option.isSome(host.get("WAYLAND_DISPLAY"))
    if (!graphical) return yield* Console.error("note: no display found; open the URL above in a browser")
    const opener =
      host.platform === "darwin"
        ? Command.make("open", url)
        : host.platform === "win32"
          ? Command.make("cmd", "/c", "start", "", url)
          : Command.make("xdg-open", url)
    const code = yield* Command.exitCode(opener).pipe(Effect.timeout("10 seconds"))
    if (code !== 0) yield* Console.error(`note: the browser opener exited with ${code}; open the URL above yourself`)
  }).pipe(
    Effect.catchAll((e) => Console.error(`note: could not open a browser (${e.message}); open the URL above yourself`))
  )

/**
 * Starts the dashboard on 127.0.0.1 and returns its address; the server runs until the scope closes.
 * The port and token are written to the home so that a restart keeps open pages connected.
 */
export const start = (
  factory: ServerFactory,
  options: UiOptions
): Effect.Effect<UiAddress, BridgeFailure, Scope.Scope | Store | HostEnv | SecureRandom | Dashboard | ChangeFeed> =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const { server, token } = yield* listen(factory, options)
    if (server.address._tag !== "TcpAddress")
      return yield* new Internal({ message: "the dashboard server has no TCP address" })
    const port = server.address.port
    // Registered after the server, so it runs before the server closes: open event streams end first,
    // otherwise closing would wait for every browser tab to go away.
    const stopping = yield* Deferred.make<void>()
    // A short grace lets each stream write its last chunk, so browsers see a clean end rather than a cut.
    yield* Effect.addFinalizer(() =>
      Deferred.succeed(stopping, undefined).pipe(Effect.zipRight(Effect.sleep("50 millis")))
    )
    yield* server.serve(router({ token, stopping: Deferred.await(stopping) }), guard({ token, port }))
    const startedAt = formatIso(yield* DateTime.now)
    yield* writeJson(SERVER_RECORD, ServerRecord, { v: 1 as const, port, token, pid: host.pid, startedAt }).pipe(
      Effect.catchAll((e) => Effect.logWarning(`ui: could not remember the port and token: ${e.message}`))
    )
    return { url: `http://127.0.0.1:${port}/?token=${token}`, host: "127.0.0.1", port, token, pid: host.pid } as const
  })
