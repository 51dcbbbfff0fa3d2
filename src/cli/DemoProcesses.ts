import * as Command from "@effect/platform/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { Internal } from "../domain/Errors.js"
import { HostEnv } from "../services/HostEnv.js"
import { failed } from "./DemoPeer.js"

/*
 * The processes `demo --cloud` runs: `session-bridge` commands on a given home, each with only the environment it
 * is given (none of the caller's SESSION_BRIDGE_* settings leak in), and long-running ones (the relay, the daemons)
 * tied to a scope: closing it (the end of the demo, a failure, Ctrl-C) stops each one and waits for it to exit.
 */

/** The environment of a process on `home`: a PATH, a HOME inside it, the bridge home, and `extra`. */
export const homeEnv = (home: string, extra: Record<string, string> = {}) =>
  Effect.map(HostEnv, (env) => ({
    PATH: Option.getOrElse(env.get("PATH"), () => "/usr/bin:/bin"),
    HOME: `${home}/user-home`,
    SESSION_BRIDGE_HOME: home,
    ...extra
  }))

const decoder = new TextDecoder()
const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runFold(stream, "", (text, chunk) => text + decoder.decode(chunk, { stream: true }))

/** How a finished command ended. */
export interface Finished {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `session-bridge <args>` on `home` to its end; `input` goes to its stdin, `extra` to its environment. */
export const runOn = (home: string, args: ReadonlyArray<string>, input?: string, extra: Record<string, string> = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const env = yield* HostEnv
      let command = Command.make(env.execPath, env.entryPath, ...args).pipe(
        Command.env(yield* homeEnv(home, extra), { extendEnv: false }),
        Command.workingDirectory(home)
      )
      if (input !== undefined) command = Command.feed(command, input)
      const process = yield* Command.start(command)
      const [stdout, stderr, code] = yield* Effect.all(
        [collect(process.stdout), collect(process.stderr), process.exitCode],
        {
          concurrency: "unbounded"
        }
      )
      return { code: Number(code), stdout, stderr } satisfies Finished
    })
  ).pipe(Effect.mapError(failed(`session-bridge ${args[0] ?? ""} ${args[1] ?? ""}`.trim())))

/**
 * `session-bridge <args> --json` on `home`; its JSON, or a failure carrying the command's own error line (its code
 * and message) when it exits non-zero.
 */
export const jsonOn = (home: string, args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const ran = yield* runOn(home, [...args, "--json"])
    if (ran.code !== 0) {
      const line = ran.stderr.split("\n").find((l) => l.startsWith("error ")) ?? ran.stderr.trim().slice(0, 300)
      return yield* new Internal({ message: `demo: session-bridge ${args.join(" ")} exited ${ran.code}: ${line}` })
    }
    return yield* Effect.try({ try: () => JSON.parse(ran.stdout), catch: failed(`${args.join(" ")}: output`) })
  })

/** A long-running `session-bridge` process: what it wrote to stderr so far, and a wait for a line of it. */
export interface Background {
  readonly pid: number
  readonly stderr: Effect.Effect<string>
  /** The first match of `pattern` in its stderr; fails when the process exits first or after `seconds`. */
  readonly waitFor: (pattern: RegExp, what: string, seconds?: number) => Effect.Effect<RegExpExecArray, Internal>
}

/** Starts `session-bridge <args>` on `home` for the life of the current scope (stopped with SIGTERM at its end). */
export const startOn = (home: string, args: ReadonlyArray<string>, name: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const command = Command.make(env.execPath, env.entryPath, ...args).pipe(
      Command.env(yield* homeEnv(home), { extendEnv: false }),
      Command.workingDirectory(home),
      Command.stdout("inherit")
    )
    const process = yield* Command.start(command).pipe(Effect.mapError(failed(`starting ${name}`)))
    const log = yield* Ref.make("")
    yield* Effect.forkScoped(
      Stream.runForEach(process.stderr, (chunk) => Ref.update(log, (t) => t + decoder.decode(chunk, { stream: true })))
    )
    const waitFor = (pattern: RegExp, what: string, seconds = 30) =>
      Effect.gen(function* () {
        for (;;) {
          const match = pattern.exec(yield* Ref.get(log))
          if (match !== null) return match
          if (!(yield* Effect.orElseSucceed(process.isRunning, () => false))) {
            const text = yield* Ref.get(log)
            const line = text.split("\n").find((l) => l.startsWith("error ")) ?? text.trim().slice(-400)
            return yield* new Internal({ message: `demo: ${name} exited before ${what}: ${line}` })
          }
          yield* Effect.sleep("50 millis")
        }
      }).pipe(
        Effect.timeoutFail({
          duration: `${seconds} seconds`,
          onTimeout: () => new Internal({ message: `demo: ${name}: no ${what} within ${seconds} s` })
        })
      )
    return { pid: Number(process.pid), stderr: Ref.get(log), waitFor } satisfies Background
  })
