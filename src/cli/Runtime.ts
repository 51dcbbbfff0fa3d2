import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { cloudErrors } from "../cloud/CloudErrors.js"
import { isBridgeFailure } from "../domain/Errors.js"
import { cliHint, cloudHint } from "./CliHints.js"
import { printErrorText } from "./Output.js"

/** Exit codes: 0 success, 1 a domain error, 2 usage, 130 interrupted. */
export const EXIT_DOMAIN = 1
export const EXIT_USAGE = 2
export const EXIT_INTERRUPTED = 130

/**
 * A command line that cannot be acted on (unknown command or flag, a bad value, conflicting options, a prompt with
 * no terminal). Printed as `error INVALID_ARGUMENT: message` plus the hint; exits 2.
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string; readonly hint?: string }> {}

export const usageError = (message: string, hint?: string): UsageError =>
  new UsageError(hint === undefined ? { message } : { message, hint })

/** The exit-code choices of one run, shared by every fiber of it. */
export interface ExitState {
  code: number
  onInterrupt: number
}

export const makeExitState = (): ExitState => ({ code: 0, onInterrupt: EXIT_INTERRUPTED })

const currentExitState = FiberRef.unsafeMake<ExitState>(makeExitState())

/** Lets a command choose the exit code of a successful run (e.g. doctor finding problems). */
export const setExitCode = (code: number) => Effect.map(FiberRef.get(currentExitState), (s) => void (s.code = code))

/** For commands that run until Ctrl-C (tail-inbox --follow): being interrupted is their normal end. */
export const exitZeroOnInterrupt = Effect.map(FiberRef.get(currentExitState), (s) => void (s.onInterrupt = 0))

/** A failure as a terminal shows it: `error CODE: message`, then the hint. */
interface Shown {
  readonly code: string
  readonly message: string
  readonly hint: string
}

/**
 * The one place a failure of a command becomes text: a local failure by its tag (CliHints.ts), a cloud client
 * error with its code and the hint of its table row (written for the CLI); anything else is not known here.
 */
const shownOf = (error: unknown): Shown | undefined => {
  if (isBridgeFailure(error)) return { code: error.code, message: error.message, hint: cliHint(error) }
  if (cloudErrors.is(error)) return { code: cloudErrors.codeOf(error), message: error.message, hint: cloudHint(error) }
  return undefined
}

/** Codes that mean the command line itself was wrong: such a failure exits 2, like a usage error. */
export const USAGE_CODES: ReadonlyArray<string> = ["INVALID_ARGUMENT", "INVALID_NAME"]

const failureOf = (cause: Cause.Cause<unknown>): Shown | undefined => {
  const failure = Cause.failureOption(cause)
  return failure._tag === "Some" ? shownOf(failure.value) : undefined
}

/** The text printed on stderr for a failed run: one line plus the hint; the full cause only with --verbose. */
export const describeFailure = (cause: Cause.Cause<unknown>, verbose: boolean): string => {
  const known = failureOf(cause)
  const lines: Array<string> = []
  if (known) {
    lines.push(`error ${known.code}: ${known.message}`)
    if (known.hint) lines.push(`hint: ${known.hint}`)
  } else {
    const squashed = Cause.squash(cause)
    lines.push(`error INTERNAL: ${squashed instanceof Error ? squashed.message : String(squashed)}`)
    if (!verbose) lines.push("hint: run again with --verbose for details")
  }
  if (verbose) lines.push(Cause.pretty(cause))
  return lines.join("\n")
}

/**
 * Wraps a CLI program: a UsageError (or a parse error of @effect/cli, which preflight turns into one before the
 * framework sees the line) is printed as `error INVALID_ARGUMENT: …` and exits 2; other failures are printed as
 * `error CODE: message` plus the hint and stay failures.
 */
export const handleCliErrors =
  (options: { readonly verbose: boolean }, state: ExitState) =>
  <A, E, R>(program: Effect.Effect<A, E, R>) =>
    program.pipe(
      Effect.catchIf(ValidationError.isValidationError, () => setExitCode(EXIT_USAGE)),
      Effect.catchIf(
        (e): e is Extract<typeof e, UsageError> => e instanceof UsageError,
        (e) =>
          printErrorText(`error INVALID_ARGUMENT: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ""}`).pipe(
            Effect.zipRight(setExitCode(EXIT_USAGE))
          )
      ),
      Effect.tapErrorCause((cause) =>
        Cause.isInterruptedOnly(cause) ? Effect.void : printErrorText(describeFailure(cause, options.verbose))
      ),
      Logger.withMinimumLogLevel(options.verbose ? LogLevel.Debug : LogLevel.Info),
      Effect.locally(currentExitState, state)
    )

/** The process exit code for the outcome of a run. */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>, state: ExitState): number => {
  if (Exit.isSuccess(exit)) return state.code
  if (Cause.isInterruptedOnly(exit.cause)) return state.onInterrupt
  const known = failureOf(exit.cause)
  return known !== undefined && USAGE_CODES.includes(known.code) ? EXIT_USAGE : EXIT_DOMAIN
}

const stderrLogger = Logger.prettyLogger({ stderr: true, colors: false })

/** Runs a CLI program as the process: logs to stderr only, exit code from `exitCodeOf`. */
export const runCli = <E, A>(program: Effect.Effect<A, E>, options: { readonly verbose: boolean }) => {
  const state = makeExitState()
  NodeRuntime.runMain(
    program.pipe(handleCliErrors(options, state), Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger))),
    {
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) => onExit(exitCodeOf(exit, state))
    }
  )
}
