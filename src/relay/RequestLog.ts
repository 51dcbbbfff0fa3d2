import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The path as logged: ids that act as capabilities (invite ids) are replaced, the query string dropped. */
export const loggedPath = (url: string): string => {
  const path = url.split("?")[0] ?? ""
  return path.replace(/^\/v1\/invites\/[^/]+/, "/v1/invites/:id")
}

/** What the log line of a request says besides its time, level and `event: "request"`. */
export interface RequestLine {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly ms: number
}

/**
 * Where the relay process writes its request lines: straight into the JSON-lines sink its logger writes to, the
 * same line Effect's logger would make, without going through it
 * (docs/adr/0070-relay-request-lines-skip-the-effect-logger.md). Without it, the lines go through Effect's logger.
 */
export class RequestLog extends Context.Tag("session-bridge/RelayRequestLog")<
  RequestLog,
  { readonly write: (line: RequestLine) => void }
>() {}

type WriteLine = (line: RequestLine) => Effect.Effect<void>

const throughLogger: WriteLine = (line) => Effect.logInfo("request").pipe(Effect.annotateLogs({ ...line }))

/** How this context writes a request line: the RequestLog when provided, else Effect's logger. */
export const requestLineWriter: Effect.Effect<WriteLine> = Effect.map(
  Effect.serviceOption(RequestLog),
  Option.match({ onNone: () => throughLogger, onSome: (log) => (line) => Effect.sync(() => log.write(line)) })
)

/**
 * The one JSON log line of a request: method, path, status and duration (never a header, a body or a token); none
 * for `/healthz`. Both the router (Server.ts) and the hot routes (HotRoutes.ts, with the writer resolved once) write it.
 */
export const logRequestWith =
  (write: WriteLine) =>
  (method: string, url: string, status: number, startedMs: number): Effect.Effect<void> =>
    url === "/healthz"
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (at) =>
          write({ method, path: loggedPath(url), status, ms: at - startedMs })
        )

export const logRequest = (method: string, url: string, status: number, startedMs: number) =>
  Effect.flatMap(requestLineWriter, (write) => logRequestWith(write)(method, url, status, startedMs))
