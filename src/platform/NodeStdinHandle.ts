/**
 * Reading a socket on stdin through Node's own pipe handle, without node:net (ADR-0022), with plain callbacks: the
 * hook's Effect reader (NodeStdinSocket.ts) and the launcher's fast path (HookFastPath.ts, which must not load
 * Effect) both use it.
 */

/** libuv's end of file (UV_EOF), what a stream handle's read reports when the writer has closed. */
const UV_EOF = -4095

/** The parts of Node's pipe and stream bindings that reading a socket needs (what node:net uses itself). */
export interface PipeHandle {
  open(fd: number): unknown
  readStart(): unknown
  readStop(): unknown
  close(): void
  /** Must always be a function: the binding aborts the process on anything else. */
  onread: (buffer: ArrayBuffer | undefined) => void
}
export interface StreamBindings {
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
export const streamBindings = (): StreamBindings | undefined => {
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

/** How a socket read ended: all of it, or why not. */
export type SocketRead = { readonly text: string } | { readonly error: string }

const ignoreRead = (): void => {}

/**
 * A socket (what a Node.js host's pipes are) read in the event loop through a pipe handle on fd 0: libuv makes
 * the descriptor non-blocking and reads it when it is ready, so nothing is left blocking when the run ends.
 * Returns the function that stops reading (closing fd 0), or undefined when the handle cannot be had or opened
 * (then node:net must read it); `done` is called once, unless stopped first.
 */
export const readSocketHandle = (maxBytes: number, done: (result: SocketRead) => void): (() => void) | undefined => {
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
  const finish = (result: SocketRead) => {
    if (!open) return
    stop()
    done(result)
  }
  handle.onread = (buffer) => {
    const n = bindings.state[bindings.bytesOrError]!
    if (n > 0 && buffer !== undefined) {
      size += n
      if (size > maxBytes) finish({ error: `stdin is larger than ${maxBytes} bytes` })
      else chunks.push(Buffer.from(buffer, bindings.state[bindings.offset]!, n))
    } else if (n === UV_EOF) finish({ text: Buffer.concat(chunks, size).toString("utf8") })
    else if (n < 0) finish({ error: `stdin read failed (libuv error ${n})` })
  }
  try {
    const started = handle.readStart()
    if (typeof started === "number" && started !== 0) finish({ error: `stdin read failed (libuv error ${started})` })
  } catch (error) {
    finish({ error: error instanceof Error ? error.message : String(error) })
  }
  return stop
}
