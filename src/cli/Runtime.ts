import { ValidationError } from "@effect/cli"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Logger } from "effect"
import { BridgeError } from "../domain/Errors.js"

/** Exit codes: 0 success, 1 a domain error, 2 usage, 130 interrupted. */
export const EXIT_DOMAIN = 1
export const EXIT_USAGE = 2

let exitCode = 0
/** Lets a command choose the exit code of a successful run (e.g. doctor finding problems). */
export const setExitCode = (code: number) => Effect.sync(() => void (exitCode = code))

const stderrLogger = Logger.prettyLogger({ stderr: true, colors: false })

/**
 * Runs a CLI program: logs go to stderr only, usage errors exit 2 (printed once by @effect/cli),
 * BridgeErrors print `error CODE: message` plus the hint and exit 1, interruption exits 130.
 */
export const runCli = <E, A>(program: Effect.Effect<A, E>, options: { readonly verbose: boolean }) =>
  NodeRuntime.runMain(
    program.pipe(
      Effect.catchIf(ValidationError.isValidationError, () => setExitCode(EXIT_USAGE)),
      Effect.tapErrorCause((cause) =>
        Effect.sync(() => {
          if (Cause.isInterruptedOnly(cause)) return
          const failure = Cause.failureOption(cause)
          if (failure._tag === "Some" && failure.value instanceof BridgeError) {
            const e = failure.value
            process.stderr.write(`error ${e.code}: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`)
          } else if (options.verbose) {
            process.stderr.write(Cause.pretty(cause) + "\n")
          } else {
            const squashed = Cause.squash(cause)
            process.stderr.write(`error INTERNAL: ${squashed instanceof Error ? squashed.message : String(squashed)}\n(run with --verbose for details)\n`)
          }
        })
      ),
      Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger))
    ),
    {
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) => {
        if (Exit.isSuccess(exit)) return onExit(exitCode)
        if (Cause.isInterruptedOnly(exit.cause)) return onExit(130)
        const failure = Cause.failureOption(exit.cause)
        onExit(failure._tag === "Some" && failure.value instanceof BridgeError ? EXIT_DOMAIN : EXIT_DOMAIN)
      }
    }
  )
