import { Effect, Exit, Layer, Logger, LogLevel } from "effect"
import * as NodeHostEnv from "../platform/NodeHostEnv.js"
import { readStdinFd } from "../platform/NodeStdinFd.js"
import { runHook } from "./Hook.js"
import { HookLayer } from "./HookLayer.js"

/** Payloads are a few hundred bytes; a prompt pasted into one may be large, but not this large. */
const MAX_STDIN_BYTES = 8 * 1024 * 1024

const stderrLogger = Logger.make(({ logLevel, message }) => {
  const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
  process.stderr.write(
    `session-bridge hook ${logLevel.label.toLowerCase()}: ${text} (${Math.round(performance.now())} ms)\n`
  )
})

/**
 * `session-bridge hook <event> --provider <name>`: stdout gets exactly the host's reply and nothing else;
 * diagnostics go to stderr only when SESSION_BRIDGE_DEBUG is set. Always exits 0, promptly. Bundled on its own
 * as dist/hook.cjs and started by ./main.ts.
 */
export const main = (args: ReadonlyArray<string>): void => {
  const startupMs = performance.now()
  const debug = (process.env["SESSION_BRIDGE_DEBUG"] ?? "") !== ""
  const program = runHook(args, readStdinFd(MAX_STDIN_BYTES), HookLayer, startupMs).pipe(
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
