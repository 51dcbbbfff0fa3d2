import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import type { HttpClient } from "@effect/platform"
import * as HttpRelayClient from "../../src/cloud/HttpRelayClient.js"
import { relayHttpClient } from "../../src/platform/NodeRelayHttp.js"

/*
 * The daemon's calls to its relay reuse one kept-alive connection (docs/adr/0040-daemon-send-path-without-waits.md):
 * a loopback server counts the TCP connections it accepts while the real relay client makes calls in turn, the
 * inbox ack among them (its answer is read to the end, so its connection goes back to the pool).
 */

const answer = (req: IncomingMessage, res: ServerResponse) => {
  req.resume()
  req.on("end", () => {
    const body = req.url?.startsWith("/v1/inbox/ack")
      ? { ackedSeq: 3, deleted: 1 }
      : req.url?.startsWith("/v1/inbox")
        ? { messages: [], cursor: 3 }
        : { contacts: [] }
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify(body))
  })
}

/** Runs `calls` rounds of contacts, inbox and ack over `http`; the number of connections the server accepted. */
const connectionsFor = (http: Layer.Layer<HttpClient.HttpClient>, rounds: number) =>
  Effect.acquireUseRelease(
    Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly accepted: { n: number } }>((resume) => {
      const accepted = { n: 0 }
      const server = createServer(answer)
      server.on("connection", () => accepted.n++)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, accepted })))
    }),
    ({ server, accepted }) =>
      Effect.gen(function* () {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        const relay = yield* HttpRelayClient.make(url)
        for (let i = 0; i < rounds; i++) {
          yield* relay.contacts("token")
          yield* relay.inbox("token", 3, 0)
          yield* relay.ack("token", 3)
        }
        return accepted.n
      }).pipe(Effect.scoped, Effect.provide(http)),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

describe("the daemon's connections to its relay", () => {
  it.live("nine calls in turn, acks included, go over one connection", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* connectionsFor(relayHttpClient, 3), 1)
    })
  )

  it.live("node's default agent (what a one-shot command uses) opens one connection per call", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* connectionsFor(NodeHttpClient.layer, 3), 9)
    })
  )
})
