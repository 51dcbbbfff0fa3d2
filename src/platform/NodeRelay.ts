import { createHash } from "node:crypto"
import { realpathSync } from "node:fs"
import { createServer } from "node:http"
import { homedir } from "node:os"
import { pathToFileURL } from "node:url"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { RunningSha256 } from "../relay/BlobUpload.js"
import { HotRoutes } from "../relay/HotRoutes.js"
import { RequestLog } from "../relay/RequestLog.js"
import * as NodeHotRoutes from "./NodeHotRoutes.js"
import { batchedInfoLine, batchedJsonStderrLogger, jsonStderrLogger } from "./JsonLinesLogger.js"

/** How long in-flight requests may finish after a stop signal before their connections are dropped. */
const DRAIN_MS = 2_000

/**
 * The relay's HTTP server: node:http on `host:port` (port 0 = any free one), the hot routes served in front of the
 * router (NodeHotRoutes.ts). On stop it stops accepting, lets in-flight requests finish for up to two seconds, then
 * drops what is left (idle keep-alive sockets included).
 */
export const layerServer = (options: { readonly host: string; readonly port: number }) =>
  Layer.unwrapEffect(
    Effect.map(HotRoutes, (hot) => {
      const server = createServer({ keepAliveTimeout: 30_000, requestTimeout: 60_000 })
      NodeHotRoutes.install(server, hot)
      const drain = Layer.scopedDiscard(
        Effect.addFinalizer(() =>
          Effect.async<void>((resume) => {
            server.closeIdleConnections()
            const timer = setTimeout(() => {
              server.closeAllConnections()
              resume(Effect.void)
            }, DRAIN_MS)
            server.close(() => {
              clearTimeout(timer)
              resume(Effect.void)
            })
          })
        )
      )
      return drain.pipe(Layer.provideMerge(NodeHttpServer.layer(() => server, options)))
    })
  )

export { jsonStderrLogger }

/** Replaces Effect's default logger with the JSON-lines one, written once per event-loop turn. */
export const layerLogger = Logger.replace(Logger.defaultLogger, batchedJsonStderrLogger)

/** The request lines written straight into the logger's batch, `{ts, level, event: "request", ...}`. */
export const layerRequestLog = Layer.succeed(
  RequestLog,
  RequestLog.of({ write: (line) => batchedInfoLine({ event: "request", ...line }) })
)

/** The user's home folder (for the default `<home>/relay/relay.db`). */
export const userHome = Effect.sync(() => homedir())

/** True when the module at `moduleUrl` is the script node was started with (`node dist/relay/bin.js`). */
export const isMainModule = (moduleUrl: string): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl
  } catch {
    return false
  }
}

/** Node's incremental SHA-256 (blob uploads are hashed while they stream in). */
export const layerRunningSha256 = Layer.succeed(RunningSha256, {
  start: Effect.sync(() => {
    const hash = createHash("sha256")
    return {
      update: (piece: Uint8Array) => Effect.sync(() => void hash.update(piece)),
      digest: Effect.sync(() => new Uint8Array(hash.digest()))
    }
  })
})
