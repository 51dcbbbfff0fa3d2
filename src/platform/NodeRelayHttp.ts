import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"

/*
 * The HTTP client the daemon talks to its relay with: node:http over one keep-alive agent, so the outbox pump's
 * sends, the acks and the presence calls reuse open connections instead of opening (and, over https, negotiating)
 * one per request, and with Nagle's algorithm off on every socket, so a small request is never held back waiting
 * for an earlier segment's acknowledgement. A socket left idle is closed a second before the relay's announced
 * keep-alive timeout (node's agent reads the `Keep-Alive: timeout=N` answer header), so a send rarely meets a
 * connection the relay is closing. docs/adr/0040-daemon-send-path-without-waits.md.
 */

/** Sockets kept open to the relay while idle; the long-poll holds one more. */
const FREE_SOCKETS = 4

export const relayHttpClient = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(
    NodeHttpClient.makeAgentLayer({
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxFreeSockets: FREE_SOCKETS,
      noDelay: true
    })
  )
)
