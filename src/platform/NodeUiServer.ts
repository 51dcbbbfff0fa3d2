import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { SecureRandom } from "../ui/SecureRandom.js"

/** The dashboard's HTTP server: Node's http server bound to 127.0.0.1 only (port 0 = a free one). */
export const layerServer = (port: number) => NodeHttpServer.layer(() => createServer(), { host: "127.0.0.1", port })

/** Crypto-strength random bytes from node:crypto. */
export const layerSecureRandom: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, {
  bytes: (n) => Effect.sync(() => new Uint8Array(randomBytes(n)))
})
