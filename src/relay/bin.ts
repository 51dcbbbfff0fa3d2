#!/usr/bin/env node
/**
 * The relay's executable (`node dist/relay/bin.js`, the Docker image's entry point), also what
 * `session-bridge relay` imports: the CLI never loads the relay's modules for any other command.
 */
import { realpathSync } from "node:fs"
import { pathToFileURL } from "node:url"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import * as NodeRelay from "../platform/NodeRelay.js"
import { VERSION } from "../Version.js"
import { describe } from "./ErrorResponse.js"
import { cli } from "./Main.js"

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
    Effect.provide(Layer.mergeAll(NodeContext.layer, NodeRelay.layerLogger, NodeCloudCrypto.layer))
  )
  NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
}

const invokedDirectly = (() => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url
  } catch {
    return false
  }
})()

if (invokedDirectly) main(process.argv.slice(2))
