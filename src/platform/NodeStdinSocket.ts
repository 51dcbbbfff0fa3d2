import * as Effect from "effect/Effect"

/** Standard input could not be read (the hook then replies as for an empty one). */
export class StdinReadError {
  readonly _tag = "StdinReadError"
  constructor(readonly message: string) {}
}

/** libuv's end of file (UV_EOF), what a stream handle's read reports when the writer has closed. */
const UV_EOF = -4095

/** The parts of Node's pipe and stream bindings that reading a socket needs (what node:net uses itself). */
interface PipeHandle {
  open(fd: number): unknown
  readStart(): unknown
  readStop(): unknown
  close(): void
  /** Must always be a function: the binding aborts the process on anything else. */
  onread: (buffer: ArrayBuffer | undefined) => void
}
interface StreamBindings {
  readonly newPipe: () => PipeHandle
  readonly state: Int32Array
  readonly bytesOrError: number
  readonly offset: number
}

/**
 * Node's own pipe handle and stream state, as node:net reads a socket with them, without loading node:net (with
 * the twenty stream modules, diagnostics_channel and perf_hooks it brings, most of the time a hook spends beyond
 * its floor under a Node.js host; ADR-0022). Undefined, and node:net is used, where `process.binding` is gone,
 * would print a deprecation warning (--pending-deprecation), or does not have the expected shape.
 */
const streamBindings = (): StreamBindings | undefined => {
  // A Node that someday warns about these bindings by default must not print that warning into the host's view.
  const quiet = process.noDeprecation
  try {
    const flags = `${process.execArgv.join(" ")} ${process.env["NODE_OPTIONS"] ?? ""}`
    if (flags.includes("-deprecation")) return undefined
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding
    if (typeof binding !== "function") return undefined
    process.noDeprecation = true
    const pipe = binding.call(process, "pipe_wrap") as {
      Pipe?: new (type: number) => PipeHandle
      constants?: { SOCKET?: unknown }
    }
    const stream = binding.call(process, "stream_wrap") as {
      streamBaseState?: unknown
      kReadBytesOrError?: unknown
      kArrayBufferOffset?: unknown
    }
    const Pipe = pipe.Pipe
    const socketType = pipe.constants?.SOCKET
    const state = stream.streamBaseState
    const bytesOrError = stream.kReadBytesOrError
    const offset = stream.kArrayBufferOffset
    if (
      typeof Pipe !== "function" ||
      typeof socketType !== "number" ||
      !(state instanceof Int32Array) ||
      typeof bytesOrError !== "number" ||
      typeof offset !== "number"
    )
      return undefined
    return { newPipe: () => new Pipe(socketType), state, bytesOrError, offset }
  } catch {
    return undefined
  } finally {
    process.noDeprecation = quiet === true
  }
}

/**
 * A socket (what a Node.js host's pipes are) read in the event loop through a pipe handle on fd 0: libuv makes
 * the descriptor non-blocking and reads it when it is ready, so nothing is left blocking when the run ends.
 * Undefined when the handle cannot be had or opened (then node:net reads it).
 */
const ignoreRead = (): void => {}

const readSocketHandle = (maxBytes: number): Effect.Effect<string, StdinReadError> | undefined => {
  const bindings = streamBindings()
  if (bindings === undefined) return undefined
  let handle: PipeHandle
  try {
    handle = bindings.newPipe()
    const opened = handle.open(0)
    if (typeof opened === "number" && opened !== 0) {
      handle.close()
      return undefined
    }
  } catch {
    return undefined
  }
  return Effect.async<string, StdinReadError>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let open = true
    const stop = () => {
      if (!open) return
      open = false
      handle.onread = ignoreRead
      try {
        handle.readStop()
        handle.close()
      } catch {
        // already closed
      }
    }
    const finish = (result: Effect.Effect<string, StdinReadError>) => {
      stop()
      resume(result)
    }
    handle.onread = (buffer) => {
      const n = bindings.state[bindings.bytesOrError]!
      if (n > 0 && buffer !== undefined) {
        size += n
        if (size > maxBytes) finish(Effect.fail(new StdinReadError(`stdin is larger than ${maxBytes} bytes`)))
        else chunks.push(Buffer.from(buffer, bindings.state[bindings.offset]!, n))
      } else if (n === UV_EOF) finish(Effect.succeed(Buffer.concat(chunks, size).toString("utf8")))
      else if (n < 0) finish(Effect.fail(new StdinReadError(`stdin read failed (libuv error ${n})`)))
    }
    try {
      const started = handle.readStart()
      if (typeof started === "number" && started !== 0) {
        finish(Effect.fail(new StdinReadError(`stdin read failed (libuv error ${started})`)))
      }
    } catch (error) {
      finish(Effect.fail(new StdinReadError(error instanceof Error ? error.message : String(error))))
    }
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
