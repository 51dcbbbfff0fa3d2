import { fstatSync, read as readFd, writeSync } from "node:fs"
import * as Effect from "effect/Effect"

export class StdinReadError {
  readonly _tag = "StdinReadError"
  constructor(readonly message: string) {}
}

/** How long to wait before trying again when fd 0 is a non-blocking pipe with nothing in it yet. */
const RETRY_MS = 2

/**
 * Standard input and output through their file descriptors, for the hook: `process.stdin` and `process.stdout` are
 * streams whose setup (node:net, node:tty) costs several milliseconds of every prompt.
 */

/** True when fd 0 is a character device: a terminal (which never ends) or /dev/null (empty): both read as "". */
const stdinIsCharacterDevice = (): boolean => {
  try {
    return fstatSync(0).isCharacterDevice()
  } catch {
    return true // no stdin at all: nothing to read
  }
}

/**
 * All of standard input as UTF-8, read from fd 0 with plain `fs.read` calls until end of file; "" for a terminal
 * or /dev/null. Past `maxBytes` it fails. Interrupting it stops reading.
 */
export const readStdinFd = (maxBytes: number): Effect.Effect<string, StdinReadError> =>
  Effect.async<string, StdinReadError>((resume) => {
    if (stdinIsCharacterDevice()) {
      resume(Effect.succeed(""))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(64 * 1024)
      readFd(0, buffer, 0, buffer.length, null, (error, n) => {
        if (stopped) return
        if (error !== null) {
          if (error.code === "EAGAIN") {
            timer = setTimeout(next, RETRY_MS)
            return
          }
          // A closed or missing stdin reads as empty.
          if (error.code === "EOF" || error.code === "EBADF") resume(Effect.succeed(""))
          else resume(Effect.fail(new StdinReadError(error.message)))
          return
        }
        if (n === 0) {
          resume(Effect.succeed(Buffer.concat(chunks, size).toString("utf8")))
          return
        }
        size += n
        if (size > maxBytes) {
          resume(Effect.fail(new StdinReadError(`stdin is larger than ${maxBytes} bytes`)))
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
    })
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
