import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** The path as logged: ids that act as capabilities (invite ids) are replaced, the query string dropped. */
export const loggedPath = (url: string): string => {
  const path = url.split("?")[0] ?? ""
  return path.replace(/^\/v1\/invites\/[^/]+/, "/v1/invites/:id")
}

/**
 * The one JSON log line of a request: method, path, status and duration (never a header, a body or a token); none
 * for `/healthz`. Both the router (Server.ts) and the hot routes (HotRoutes.ts) write it.
 */
export const logRequest = (method: string, url: string, status: number, startedMs: number) =>
  url === "/healthz"
    ? Effect.void
    : Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Effect.logInfo("request").pipe(
          Effect.annotateLogs({ method, path: loggedPath(url), status, ms: at - startedMs })
        )
      )
