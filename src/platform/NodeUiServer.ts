import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { SecureRandom } from "../services/SecureRandom.js"

/**
 * The dashboard's HTTP server: Node's http server bound to 127.0.0.1 only (port 0 = a free one).
 * On shutdown it stops listening and drops every connection at once; a plain close() would wait for
 * browser tabs (event streams, keep-alive sockets, a reconnect already in flight) to go away.
 */
export const layerServer = (port: number) =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const server = createServer()
      // Built after the server, so released before it; the server's own release then finds it closed.
      const dropConnections = Layer.scopedDiscard(
        Effect.addFinalizer(() =>
          Effect.sync(() => {
            server.close()
            server.closeAllConnections()
          })
        )
      )
      return dropConnections.pipe(Layer.provideMerge(NodeHttpServer.layer(() => server, { host: "127.0.0.1", port })))
    })
  )

/** Crypto-strength random bytes from node:crypto. */
export const layerSecureRandom: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, {
  bytes: (n) => Effect.sync(() => new Uint8Array(randomBytes(n)))
})
