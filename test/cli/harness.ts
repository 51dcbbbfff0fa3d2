import { FileSystem, Path, Terminal } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import { NodeCommandExecutor } from "@effect/platform-node"
import { Console, Effect, Exit, Fiber, Layer, Mailbox, Option } from "effect"
import { cli, preprocessArgv } from "../../src/cli/main.js"
import { exitCodeOf, handleCliErrors, makeExitState } from "../../src/cli/Runtime.js"
import * as Stdin from "../../src/services/Stdin.js"

export interface CliResult {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number
}

export interface RunOptions {
  /** Piped standard input; absent means stdin is a terminal. */
  readonly stdin?: string
  /** Whether the prompt terminal is interactive (default false). */
  readonly tty?: boolean
  /** Lines answered to Terminal.readLine, in order. */
  readonly lines?: ReadonlyArray<string>
  /** Keys fed to an interactive prompt, e.g. ["down", "return"]. */
  readonly keys?: ReadonlyArray<string>
  /** Files readable through FileSystem (absolute paths). */
  readonly files?: Record<string, string | Uint8Array>
}

const recordingConsole = (out: Array<string>, err: Array<string>): Console.Console => {
  const text = (args: ReadonlyArray<unknown>) =>
    args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")
  const toOut = (...args: ReadonlyArray<unknown>) => Effect.sync(() => void out.push(text(args)))
  const toErr = (...args: ReadonlyArray<unknown>) => Effect.sync(() => void err.push(text(args)))
  const unsafeOut = (...args: ReadonlyArray<unknown>) => void out.push(text(args))
  const unsafeErr = (...args: ReadonlyArray<unknown>) => void err.push(text(args))
  const ignore = () => undefined
  return {
    [Console.TypeId]: Console.TypeId,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: toErr,
    dir: toOut,
    dirxml: toOut,
    error: toErr,
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: toOut,
    log: toOut,
    table: toOut,
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: toErr,
    warn: toErr,
    unsafe: {
      assert: ignore,
      clear: ignore,
      count: ignore,
      countReset: ignore,
      debug: unsafeErr,
      dir: unsafeOut,
      dirxml: unsafeOut,
      error: unsafeErr,
      group: ignore,
      groupCollapsed: ignore,
      groupEnd: ignore,
      info: unsafeOut,
      log: unsafeOut,
      table: unsafeOut,
      time: ignore,
      timeEnd: ignore,
      timeLog: ignore,
      trace: unsafeErr,
      warn: unsafeErr
    }
  }
}

/** A Terminal that answers from scripted lines and keys and records what prompts display (as stderr). */
const recordingTerminal = (options: RunOptions, err: Array<string>): Terminal.Terminal => {
  const lines = [...(options.lines ?? [])]
  return Terminal.Terminal.of({
    columns: Effect.succeed(100),
    rows: Effect.succeed(40),
    isTTY: Effect.succeed(options.tty ?? false),
    readLine: Effect.suspend(() => {
      const line = lines.shift()
      return line === undefined ? Effect.fail(new Terminal.QuitException()) : Effect.succeed(line)
    }),
    readInput: Effect.gen(function* () {
      const mailbox = yield* Mailbox.make<Terminal.UserInput>()
      for (const name of options.keys ?? []) {
        yield* mailbox.offer({
          input: name.length === 1 ? Option.some(name) : Option.none(),
          key: { name, ctrl: false, meta: false, shift: false }
        })
      }
      yield* mailbox.end
      return mailbox
    }),
    display: (text) => Effect.sync(() => void err.push(text))
  })
}

const fileSystem = (files: Record<string, string | Uint8Array>) =>
  FileSystem.layerNoop({
    readFile: (path) => {
      const found = files[path]
      return found === undefined
        ? Effect.fail(
            new SystemError({
              module: "FileSystem",
              method: "readFile",
              reason: "NotFound",
              pathOrDescriptor: path,
              description: "no such file"
            })
          )
        : Effect.succeed(typeof found === "string" ? new TextEncoder().encode(found) : found)
    },
    stat: (path) => {
      const found = files[path]
      return found === undefined
        ? Effect.fail(
            new SystemError({
              module: "FileSystem",
              method: "stat",
              reason: "NotFound",
              pathOrDescriptor: path,
              description: "no such file"
            })
          )
        : Effect.succeed({
            type: "File",
            size: FileSystem.Size(typeof found === "string" ? new TextEncoder().encode(found).length : found.length),
            mtime: Option.none(),
            atime: Option.none(),
            birthtime: Option.none(),
            dev: 0,
            ino: Option.none(),
            mode: 0o600,
            nlink: Option.none(),
            uid: Option.none(),
            gid: Option.none(),
            rdev: Option.none(),
            blksize: Option.none(),
            blocks: Option.none()
          })
    }
  })

/**
 * Starts `session-bridge <args>` in-process, as bin.ts would (global flags, error printing, exit codes),
 * with stdout/stderr captured as they are written. Domain and store services come from the caller's layer.
 */
export const startCli = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.gen(function* () {
    const out: Array<string> = []
    const err: Array<string> = []
    const { args: argv, verbose } = preprocessArgv(["node", "session-bridge", ...args])
    const state = makeExitState()
    const io = Layer.mergeAll(
      Stdin.layerMemory(options.stdin === undefined ? Option.none() : Option.some(options.stdin)),
      Layer.succeed(Terminal.Terminal, recordingTerminal(options, err)),
      NodeCommandExecutor.layer.pipe(Layer.provideMerge(fileSystem(options.files ?? {}))),
      Path.layer
    )
    const fiber = yield* cli(argv).pipe(
      handleCliErrors({ verbose }, state),
      Effect.provide(io),
      Effect.withConsole(recordingConsole(out, err)),
      Effect.fork
    )
    const joined = (xs: ReadonlyArray<string>) => (xs.length === 0 ? "" : xs.join("\n") + "\n")
    const result = (exit: Exit.Exit<unknown, unknown>): CliResult => ({
      stdout: joined(out),
      stderr: joined(err),
      exitCode: exitCodeOf(exit, state)
    })
    return {
      stdout: () => joined(out),
      stderr: () => joined(err),
      /** Waits for the command to finish. */
      join: Effect.map(Fiber.await(fiber), result),
      /** Interrupts it, as Ctrl-C does. */
      interrupt: Effect.map(Fiber.interrupt(fiber), result)
    }
  })

/** Runs `session-bridge <args>` in-process to completion. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.flatMap(startCli(args, options), (run) => run.join)

/** Lets forked fibers (a follower, a watch) run. */
export const settle = Effect.repeatN(Effect.yieldNow(), 100)
