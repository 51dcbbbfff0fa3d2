import { closeSync, constants, fstatSync, openSync, read as readFd, writeSync } from "node:fs"
import * as Effect from "effect/Effect"
import { readSocket, StdinReadError } from "./NodeStdinSocket.js"

export { StdinReadError }

/** How long to wait before trying again when fd 0 is a non-blocking pipe with nothing in it yet. */
const RETRY_MS = 2

/**
 * Standard input and output through their file descriptors, for the hook: `process.stdin` and `process.stdout` are
 * streams whose setup (node:net, node:tty) costs several milliseconds of every prompt.
 */

type StdinKind = "empty" | "file" | "pipe" | "socket"

/**
 * What fd 0 is: a character device (a terminal, which never ends, or /dev/null) and a missing stdin read as empty;
 * a regular file reads to its end; a pipe or a socket may be held open by the host for ever.
 */
const stdinKind = (): StdinKind => {
  try {
    const st = fstatSync(0)
    if (st.isCharacterDevice()) return "empty"
    if (st.isFIFO()) return "pipe"
    if (st.isSocket()) return "socket"
    return "file"
  } catch {
    return "empty" // no stdin at all: nothing to read
  }
}

/**
 * A second, non-blocking descriptor for the pipe on fd 0 (Linux reopens the pipe itself through /proc, with its
 * own flags); undefined where that is not possible.
 */
const reopenNonBlocking = (): number | undefined => {
  try {
    return openSync("/proc/self/fd/0", constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return undefined
  }
}

/**
 * Reads `fd` to its end with plain `fs.read` calls. Only a descriptor that never blocks for ever may be read this
 * way (a regular file, a non-blocking pipe): a read waiting in libuv's thread pool keeps `process.exit` from
 * returning, since exit joins the pool's threads.
 */
const readFdToEnd = (
  fd: number,
  maxBytes: number,
  done: () => void,
  prefix: Buffer
): Effect.Effect<string, StdinReadError> =>
  Effect.async<string, StdinReadError>((resume) => {
    const chunks: Array<Buffer> = [prefix]
    let size = prefix.length
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const finish = (result: Effect.Effect<string, StdinReadError>) => {
      stopped = true
      done()
      resume(result)
    }
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(64 * 1024)
      readFd(fd, buffer, 0, buffer.length, null, (error, n) => {
        if (stopped) return
        if (error !== null) {
          if (error.code === "EAGAIN") {
            timer = setTimeout(next, RETRY_MS)
            return
          }
          // A closed or missing stdin reads as empty.
          if (error.code === "EOF" || error.code === "EBADF") finish(Effect.succeed(""))
          else finish(Effect.fail(new StdinReadError(error.message)))
          return
        }
        if (n === 0) {
          finish(Effect.succeed(Buffer.concat(chunks, size).toString("utf8")))
          return
        }
        size += n
        if (size > maxBytes) {
          finish(Effect.fail(new StdinReadError(`stdin is larger than ${maxBytes} bytes`)))
          return
        }
        chunks.push(buffer.subarray(0, n))
        next()
      })
    }
    next()
    return Effect.sync(() => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      done()
    })
  })

/**
 * All of standard input as UTF-8 until end of file; "" for a terminal or /dev/null. Past `maxBytes` it fails.
 * Interrupting it stops reading, and leaves nothing that would keep the process from exiting: a host may hold
 * stdin open without writing, and the hook must still exit when its budget is spent. `prefix`: bytes of a file or
 * pipe stdin already read (by the launcher's fast path), which come first.
 */
export const readStdinFd = (
  maxBytes: number,
  prefix: Buffer = Buffer.alloc(0)
): Effect.Effect<string, StdinReadError> =>
  Effect.suspend(() => {
    const afterPrefix = (rest: Effect.Effect<string, StdinReadError>) =>
      prefix.length === 0 ? rest : Effect.map(rest, (text) => prefix.toString("utf8") + text)
    switch (stdinKind()) {
      case "empty":
        return Effect.succeed(prefix.toString("utf8"))
      case "file":
        return readFdToEnd(0, maxBytes, () => {}, prefix)
      case "pipe": {
        const fd = reopenNonBlocking()
        if (fd === undefined) return afterPrefix(readSocket(maxBytes))
        let closed = false
        return readFdToEnd(
          fd,
          maxBytes,
          () => {
            if (closed) return
            closed = true
            closeSync(fd)
          },
          prefix
        )
      }
      case "socket":
        return afterPrefix(readSocket(maxBytes))
    }
  })

/**
 * Writes `text` to fd 1 and returns; false when stdout is gone (EPIPE: the reader left) or unusable. A pipe left
 * non-blocking by the parent and full for a moment (EAGAIN) is retried for up to a second.
 */
export const writeStdoutFd = (text: string): boolean => {
  let data = Buffer.from(text, "utf8")
  const deadline = performance.now() + 1000
  while (data.length > 0) {
    try {
      data = data.subarray(writeSync(1, data))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN" || performance.now() > deadline) return false
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1)
    }
  }
  return true
}
