#!/usr/bin/env node
/**
 * The relay's executable (`node dist/relay/bin.js`, the Docker image's entry point), also what
 * `session-bridge relay` imports: the CLI never loads the relay's modules for any other command.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isMainModule } from "../platform/NodeRelay.js"
import { VERSION } from "../Version.js"
import { describe } from "./ErrorResponse.js"
import { cli, RelayProcessLayer } from "./Main.js"

/** Runs the relay command line; `args` are the arguments after `relay`. Exits 0 on SIGINT/SIGTERM. */
export const main = (args: ReadonlyArray<string>): void => {
  const program = cli(VERSION)(["node", "relay", ...args]).pipe(
    Effect.tapErrorCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const failure = Cause.failureOption(cause)
      // @effect/cli already printed what was wrong with the command line.
      if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) return Effect.void
      const { body } = describe(Option.getOrUndefined(failure))
      const message = Option.match(failure, {
        onNone: () => Cause.pretty(cause).slice(0, 2000),
        onSome: (error) => (error instanceof Error ? error.message : String(error))
      })
      return Effect.logError("relay_failed").pipe(Effect.annotateLogs({ code: body.code, message }))
    }),
    Effect.provide(RelayProcessLayer),
    // The relay exports no spans: every fiber it starts (the hot routes, the group-commit writers, the statements of
    // @effect/sql) inherits this, so a statement's span is a no-op instead of a span with its SQL text as attribute.
    Effect.withTracerEnabled(false)
  )
  NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
}

if (isMainModule(import.meta.url)) main(process.argv.slice(2))
