import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { checkRelayDrivers } from "./Drivers.js"

/**
 * Run by `session-bridge relay` before it imports the relay's own bundle: true when every package the relay loads
 * is installed; otherwise prints `error RELAY_DRIVER_MISSING: …` with the install command and gives false, so a
 * CLI-only install gets that line rather than a module-loader stack trace.
 */
export const preflight: Effect.Effect<boolean> = checkRelayDrivers().pipe(
  Effect.as(true),
  Effect.catchTag("RelayDriverMissing", (e) =>
    Effect.as(Console.error(`error ${e.code}: ${e.message}\nhint: ${e.hint}`), false)
  )
)
