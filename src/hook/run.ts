import { Effect, Exit, Layer, Logger, LogLevel } from "effect"
import * as NodeHostEnv from "../platform/NodeHostEnv.js"
import { runHook } from "./Hook.js"
import { HookLayer } from "./HookLayer.js"

/** Payloads are a few hundred bytes; a prompt pasted into one may be large, but not this large. */
const MAX_STDIN_BYTES = 8 * 1024 * 1024

class StdinError {
  readonly _tag = "StdinError"
  constructor(readonly message: string) {}
}

/** All of stdin as UTF-8 (EOF ends it); "" for a terminal, which never ends. Interrupting it stops reading. */
const readStdin = Effect.async<string, StdinError>((resume) => {
  const stdin = process.stdin
  if (stdin.isTTY) {
    resume(Effect.succeed(""))
    return
  }
  const chunks: Array<Buffer> = []
  let size = 0
  const cleanup = () => {
    stdin.off("data", onData)
    stdin.off("end", onEnd)
    stdin.off("error", onError)
    stdin.destroy()
  }
  function onData(chunk: Buffer) {
    size += chunk.length
    if (size > MAX_STDIN_BYTES) {
      cleanup()
      resume(Effect.fail(new StdinError(`stdin is larger than ${MAX_STDIN_BYTES} bytes`)))
    } else chunks.push(chunk)
  }
  function onEnd() {
    cleanup()
    resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
  }
  function onError(error: Error) {
    cleanup()
    resume(Effect.fail(new StdinError(error.message)))
  }
  stdin.on("data", onData)
  stdin.once("end", onEnd)
  stdin.once("error", onError)
  return Effect.sync(cleanup)
})

const stderrLogger = Logger.make(({ logLevel, message }) => {
  const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
  process.stderr.write(`session-bridge hook ${logLevel.label.toLowerCase()}: ${text}\n`)
})

/**
 * `session-bridge hook <event> --provider <name>`: stdout gets exactly the host's reply and nothing else;
 * diagnostics go to stderr only when SESSION_BRIDGE_DEBUG is set. Always exits 0, promptly. Bundled on its own
 * as dist/hook.cjs and started by ./main.ts.
 */
export const main = (args: ReadonlyArray<string>): void => {
  const startupMs = performance.now()
  const debug = (process.env["SESSION_BRIDGE_DEBUG"] ?? "") !== ""
  const program = runHook(args, readStdin, HookLayer, startupMs).pipe(
    Effect.provide(
      Layer.merge(NodeHostEnv.layer, Logger.replace(Logger.defaultLogger, debug ? stderrLogger : Logger.none))
    ),
    Logger.withMinimumLogLevel(debug ? LogLevel.Debug : LogLevel.None)
  )
  let finished = false
  const finish = (reply: string, note: string) => {
    if (finished) return
    finished = true
    if (debug) process.stderr.write(`session-bridge hook: ${note} (${Math.round(performance.now())} ms)\n`)
    process.stdout.write(reply, () => process.exit(0))
  }
  // A host that stopped reading (EPIPE) or a stray exception still gets exit 0, and stdout stays clean.
  process.stdout.on("error", () => process.exit(0))
  process.once("uncaughtException", (error) => finish("", `crashed: ${error.message}`))
  Effect.runPromiseExit(program).then(
    (exit) => (Exit.isSuccess(exit) ? finish(exit.value.reply, exit.value.note) : finish("", "crashed")),
    () => finish("", "crashed")
  )
}
