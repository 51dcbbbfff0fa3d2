import * as Effect from "effect/Effect"
import { readSocketHandle as readSocketWithHandle, type SocketRead } from "./NodeStdinHandle.js"

/** Standard input could not be read (the hook then replies as for an empty one). */
export class StdinReadError {
  readonly _tag = "StdinReadError"
  constructor(readonly message: string) {}
}

/** A socket through the pipe handle (NodeStdinHandle.ts); undefined when it cannot be used. */
const readSocketHandle = (maxBytes: number): Effect.Effect<string, StdinReadError> | undefined => {
  let resume: ((result: SocketRead) => void) | undefined
  let early: SocketRead | undefined
  const stop = readSocketWithHandle(maxBytes, (result) => (resume === undefined ? (early = result) : resume(result)))
  if (stop === undefined) return undefined
  const toEffect = (r: SocketRead) => ("text" in r ? Effect.succeed(r.text) : Effect.fail(new StdinReadError(r.error)))
  return Effect.async<string, StdinReadError>((k) => {
    if (early !== undefined) return k(toEffect(early))
    resume = (r) => k(toEffect(r))
    return Effect.sync(stop)
  })
}

/**
 * A socket read through node:net, which reads it non-blocking in the event loop: where the pipe handle cannot be
 * used. Loaded only here: it costs several milliseconds.
 */
const readSocketNet = (maxBytes: number): Effect.Effect<string, StdinReadError> =>
  Effect.async<string, StdinReadError>((resume) => {
    const net = process.getBuiltinModule("node:net")
    const socket = new net.Socket({ fd: 0, readable: true, writable: false })
    const chunks: Array<Buffer> = []
    let size = 0
    const finish = (result: Effect.Effect<string, StdinReadError>) => {
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
      resume(result)
    }
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) finish(Effect.fail(new StdinReadError(`stdin is larger than ${maxBytes} bytes`)))
      else chunks.push(chunk)
    })
    socket.on("end", () => finish(Effect.succeed(Buffer.concat(chunks, size).toString("utf8"))))
    socket.on("error", (error) => finish(Effect.fail(new StdinReadError(error.message))))
    return Effect.sync(() => {
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
    })
  })

/** A socket, or a pipe that cannot be reopened: through a pipe handle, else through node:net. */
export const readSocket = (maxBytes: number): Effect.Effect<string, StdinReadError> =>
  readSocketHandle(maxBytes) ?? readSocketNet(maxBytes)
