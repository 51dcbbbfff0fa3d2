import * as fs from "node:fs"
import * as tty from "node:tty"
import * as Effect from "effect/Effect"

export class StdinReadError {
  readonly _tag = "StdinReadError"
  constructor(readonly message: string) {}
}

/** How long to wait before trying again when fd 0 is a non-blocking pipe with nothing in it yet. */
const RETRY_MS = 2

/**
 * All of standard input as UTF-8, read from fd 0 with plain `fs.read` calls until end of file; "" for a terminal,
 * which never ends. It does not create `process.stdin` (a stream whose setup costs several milliseconds), which
 * matters to the hook, run on every prompt. Past `maxBytes` it fails. Interrupting it stops reading.
 */
export const readStdinFd = (maxBytes: number): Effect.Effect<string, StdinReadError> =>
  Effect.async<string, StdinReadError>((resume) => {
    if (tty.isatty(0)) {
      resume(Effect.succeed(""))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(64 * 1024)
      fs.read(0, buffer, 0, buffer.length, null, (error, n) => {
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
