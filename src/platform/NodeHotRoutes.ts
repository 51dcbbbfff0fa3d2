import type { IncomingMessage, Server, ServerResponse } from "node:http"
import * as Effect from "effect/Effect"
import type { HotRoutes } from "../relay/HotRoutes.js"
import { bodyTooLarge, type RequestView } from "../relay/RequestView.js"

/**
 * node's request as the relay's view: headers and peer as node parsed them, the body read straight off the stream
 * (a declared length over the cap is refused unread, a stream that grows past it stops being kept), as the
 * platform's request does it for the router.
 */
const viewOf = (request: IncomingMessage): RequestView => ({
  header: (name) => {
    const value = request.headers[name]
    return Array.isArray(value) ? value[0] : value
  },
  remoteAddress: request.socket.remoteAddress,
  url: request.url ?? "/",
  text: (maxBytes) =>
    Effect.async((resume) => {
      const declared = Number(request.headers["content-length"] ?? "0")
      if (declared > maxBytes) return resume(Effect.fail(bodyTooLarge(maxBytes)))
      const chunks: Array<Buffer> = []
      let size = 0
      const stop = () => {
        request.off("data", onData)
        request.off("end", onEnd)
        request.off("error", onError)
      }
      const onData = (chunk: Buffer) => {
        size += chunk.length
        if (size <= maxBytes) return void chunks.push(chunk)
        stop()
        resume(Effect.fail(bodyTooLarge(maxBytes)))
      }
      const onEnd = () => {
        stop()
        resume(Effect.succeed(Buffer.concat(chunks, size).toString("utf8")))
      }
      const onError = () => {
        stop()
        resume(Effect.fail(bodyTooLarge(maxBytes)))
      }
      request.on("data", onData)
      request.on("end", onEnd)
      request.on("error", onError)
      return Effect.sync(stop)
    })
})

/**
 * Puts the relay's hot routes in front of whatever serves `server`'s requests (the platform's HttpRouter app):
 * a request `hot.serve` takes never reaches the other listeners; every other one is emitted to them unchanged.
 * A client that goes away before its answer interrupts the request, as the platform does.
 */
export const install = (server: Server, hot: HotRoutes["Type"]) => {
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: Array<unknown>) => boolean
  server.emit = ((event: string | symbol, ...args: Array<unknown>) => {
    if (event !== "request") return emit(event, ...args)
    const request = args[0] as IncomingMessage
    const response = args[1] as ServerResponse
    const cancel = hot.serve(request.method ?? "GET", viewOf(request), (answer) => {
      if (response.writableEnded || response.destroyed) return
      response.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) })
      response.end(answer.body)
    })
    if (cancel === undefined) return emit(event, ...args)
    response.on("close", () => {
      if (!response.writableEnded) cancel()
    })
    return true
  }) as typeof server.emit
}
