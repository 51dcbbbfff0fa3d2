import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as NodeHostEnv from "../platform/NodeHostEnv.js"
import { readStdinFd, writeStdoutFd } from "../platform/NodeStdioFd.js"
import { HostEnv } from "../services/HostEnv.js"
import { runHook } from "./Hook.js"
import { nodeHookServices } from "./HookLayer.js"

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
 * as dist/hook.cjs and started by src/platform/HookBoot.ts. Standard input and output are used through their descriptors, never
 * as `process.stdin`/`process.stdout` streams (the build makes sure of it, see scripts/build.mjs).
 */
/** What the boot code hands the hook: the bundle's id, and the standard input the fast path already read. */
export interface HookBootInfo {
  readonly bundle?: string | undefined
  /** Bytes read from stdin before the bundle loaded; `complete` when they are all of it. */
  readonly stdin?: { readonly bytes: Buffer; readonly complete: boolean } | undefined
}

export const main = (
  args: ReadonlyArray<string>,
  report?: (outcome: { readonly shown: boolean }) => void,
  boot?: HookBootInfo
): void => {
  const startupMs = performance.now()
  const env = NodeHostEnv.make()
  const debug = Option.isSome(env.get("SESSION_BRIDGE_DEBUG"))
  // Services and the logger are provided directly, not as layers: a layer graph costs a measurable share of a run.
  const read = boot?.stdin
  const stdin =
    read === undefined
      ? readStdinFd(MAX_STDIN_BYTES)
      : read.complete
        ? Effect.succeed(read.bytes.toString("utf8"))
        : readStdinFd(MAX_STDIN_BYTES, read.bytes)
  const run = runHook(args, stdin, nodeHookServices, startupMs, boot?.bundle).pipe(Effect.provideService(HostEnv, env))
  const program = debug
    ? run.pipe(
        Effect.locally(FiberRef.currentLoggers, HashSet.make(stderrLogger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
    : run.pipe(Logger.withMinimumLogLevel(LogLevel.None))
  let finished = false
  const finish = (reply: string, note: string, shown = false) => {
    if (finished) return
    finished = true
    report?.({ shown })
    if (debug) process.stderr.write(`session-bridge hook: ${note} (${Math.round(performance.now())} ms)\n`)
    // A host that stopped reading (EPIPE) still gets exit 0.
    writeStdoutFd(reply)
    process.exit(0)
  }
  // A stray exception still gets exit 0, and stdout stays clean.
  process.once("uncaughtException", (error) => finish("", `crashed: ${error.message}`))
  Effect.runPromiseExit(program).then(
    (exit) =>
      Exit.isSuccess(exit) ? finish(exit.value.reply, exit.value.note, exit.value.shown) : finish("", "crashed"),
    () => finish("", "crashed")
  )
}
