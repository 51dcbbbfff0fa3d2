import { Effect, Layer, Option, Schema } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as CurrentSession from "../../src/bridge/CurrentSession.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import type { BridgeFailure } from "../../src/domain/Errors.js"
import type { ProviderId, SessionRecord } from "../../src/domain/Records.js"
import type { MemoryHostEnvOptions } from "../../src/services/HostEnv.js"
import { Store } from "../../src/services/store/Store.js"
import type { AnyToolDef } from "../../src/mcp/ToolDef.js"
import type { ToolRequirements } from "../../src/mcp/Tools.js"
import { memoryInfra } from "../support/layers.js"

/** Memory infrastructure plus every domain service; the infrastructure stays visible to the test. */
export const memoryBridge = (env: MemoryHostEnvOptions = {}) =>
  BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer), Layer.provideMerge(memoryInfra(env)))

export const register = (label: string, cwd = `/work/${label}`, provider: ProviderId = "claude-code") =>
  Effect.flatMap(Sessions, (s) => s.register({ label, cwd, provider }))

/**
 * Calls a tool the way the server does: decode the arguments with its Schema, run the handler as `as`, and
 * encode the result with its output Schema (the JSON a client gets).
 */
export const call = (def: AnyToolDef<ToolRequirements>, as: SessionRecord, args: unknown = {}) =>
  Schema.decodeUnknown(def.input, { onExcessProperty: "error" })(args).pipe(
    Effect.orDie,
    Effect.flatMap((input) => def.handler(input)),
    Effect.flatMap((value) => Effect.orDie(Schema.encode(def.output)(value))),
    Effect.provide(CurrentSession.layerFixed(as))
  ) as Effect.Effect<any, BridgeFailure, Exclude<ToolRequirements, CurrentSession.CurrentSession>>

/** The error code a failing tool call gives. */
export const codeOf = <R>(effect: Effect.Effect<unknown, BridgeFailure, R>) =>
  Effect.map(Effect.flip(effect), (e) => e.code)

/** The events of the event log, parsed. */
export const events = Effect.gen(function* () {
  const store = yield* Store
  const text = Option.getOrElse(yield* store.readText("events.log"), () => "")
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> })
})
