import * as PlatformError from "@effect/platform/Error"
import * as Terminal from "@effect/platform/Terminal"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as RcRef from "effect/RcRef"
import * as readline from "node:readline"
import { Stdin, tooLarge } from "../services/Stdin.js"

/**
 * When the reader of stdout (or stderr) goes away — `tail-inbox -f | head -1` — the next write fails with EPIPE.
 * Like git and gh, end the process quietly then instead of printing a stack trace. Exit 0: the reader got what it
 * wanted. Other write errors keep Node's default behaviour.
 */
export const exitQuietlyOnClosedPipe = (): void => {
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0)
      throw error
    })
}

/** The process's stdin for the CLI (message bodies piped in with `--body-file -`). */
export const stdinLayer: Layer.Layer<Stdin> = Layer.sync(Stdin, () => ({
  isTTY: Boolean(process.stdin.isTTY),
  readAll: (maxBytes) => NodeStream.toString(() => process.stdin, { maxBytes, onFailure: () => tooLarge(maxBytes) })
}))

/**
 * A Terminal that draws prompts on stderr and is interactive when stdin and stderr are terminals,
 * so `$(session-bridge select)` shows its picker while stdout carries only the answer.
 */
const makeTerminal = Effect.gen(function* () {
  const stdin = process.stdin
  const out = process.stderr
  const rlRef = yield* RcRef.make({
    acquire: Effect.acquireRelease(
      Effect.sync(() => {
        const rl = readline.createInterface({ input: stdin, escapeCodeTimeout: 50 })
        readline.emitKeypressEvents(stdin, rl)
        if (stdin.isTTY) stdin.setRawMode(true)
        return rl
      }),
      (rl) =>
        Effect.sync(() => {
          if (stdin.isTTY) stdin.setRawMode(false)
          rl.close()
        })
    )
  })
  const readInput = Effect.gen(function* () {
    yield* RcRef.get(rlRef)
    const mailbox = yield* Mailbox.make<Terminal.UserInput>()
    const onKey = (s: string | undefined, k: readline.Key | undefined) => {
      const input: Terminal.UserInput = {
        input: Option.fromNullable(s),
        key: { name: k?.name ?? "", ctrl: !!k?.ctrl, meta: !!k?.meta, shift: !!k?.shift }
      }
      mailbox.unsafeOffer(input)
      if (input.key.ctrl && (input.key.name === "c" || input.key.name === "d")) mailbox.unsafeDone(Exit.void)
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => stdin.off("keypress", onKey)))
    stdin.on("keypress", onKey)
    return mailbox as Mailbox.ReadonlyMailbox<Terminal.UserInput>
  })
  const readLine = RcRef.get(rlRef).pipe(
    Effect.flatMap((rl) =>
      Effect.async<string, Terminal.QuitException>((resume) => {
        const onLine = (line: string) => resume(Effect.succeed(line))
        const onClose = () => resume(Effect.fail(new Terminal.QuitException()))
        rl.once("line", onLine)
        rl.once("close", onClose)
        return Effect.sync(() => {
          rl.off("line", onLine)
          rl.off("close", onClose)
        })
      })
    ),
    Effect.scoped
  )
  const display = (text: string) =>
    Effect.async<void, PlatformError.PlatformError>((resume) => {
      out.write(text, (err) =>
        resume(
          err
            ? Effect.fail(
                new PlatformError.SystemError({ module: "Terminal", method: "display", reason: "Unknown", cause: err })
              )
            : Effect.void
        )
      )
    })
  return Terminal.Terminal.of({
    columns: Effect.sync(() => out.columns ?? 80),
    rows: Effect.sync(() => out.rows ?? 24),
    isTTY: Effect.sync(() => Boolean(stdin.isTTY && out.isTTY)),
    readInput,
    readLine,
    display
  })
})

export const terminalLayer: Layer.Layer<Terminal.Terminal> = Layer.scoped(Terminal.Terminal, makeTerminal)
