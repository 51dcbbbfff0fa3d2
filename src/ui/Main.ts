import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import { type BridgeFailure, InvalidArgument } from "../domain/Errors.js"
import { layerSecureRandom, layerServer } from "../platform/NodeUiServer.js"
import type { Infrastructure } from "../services/Infrastructure.js"
import * as Live from "./Live.js"
import { openBrowser, start } from "./Server.js"
import * as BridgeDashboard from "./BridgeDashboard.js"

export interface RunOptions {
  readonly port: Option.Option<number>
  readonly open: boolean
  readonly json: boolean
}

/**
 * The dashboard's composition: its own services (the dashboard's queries, the change feed, the token's random
 * bytes), over the bridge services and infrastructure of the CLI process that serves it (src/cli/main.ts): the
 * dashboard requires them, it never builds a second set (a second Envelopes cache, a second Sessions cache).
 */
export const UiLayer = Layer.mergeAll(BridgeDashboard.layer, Live.layer, layerSecureRandom)

/** `session-bridge ui`: serves the dashboard on 127.0.0.1 until interrupted. */
export const run = (
  options: RunOptions
): Effect.Effect<
  never,
  BridgeFailure,
  Layer.Layer.Context<typeof UiLayer> | Infrastructure | CommandExecutor.CommandExecutor
> =>
  Effect.gen(function* () {
    if (options.port._tag === "Some" && !(options.port.value >= 0 && options.port.value <= 65535)) {
      return yield* new InvalidArgument({ message: `--port must be 0-65535, got ${options.port.value}` })
    }
    const address = yield* start(layerServer, { port: options.port })
    yield* options.json
      ? Console.log(JSON.stringify(address))
      : Console.log(
          `session-bridge dashboard: ${address.url}\nread-only, on 127.0.0.1:${address.port} only; Ctrl-C stops it`
        )
    if (options.open) yield* openBrowser(address.url)
    return yield* Effect.never
  }).pipe(Effect.scoped, Effect.provide(UiLayer))
