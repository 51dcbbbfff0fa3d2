import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { surfacingServices, type SurfacingServices } from "../bridge/SurfacingServices.js"
import type { BridgeFailure } from "../domain/Errors.js"
import { nodeInfrastructure } from "../platform/NodeLayers.js"
import type { HostEnv } from "../services/HostEnv.js"
import type { Infrastructure } from "../services/Infrastructure.js"

/*
 * The hook's composition: the surfacing part of the bridge's ordered list of constructors (src/bridge/
 * SurfacingServices.ts) over the infrastructure, the same list the other entry points' BridgeLayer starts with.
 * Run directly rather than as a layer: nothing in it needs a scope, and building a layer graph (scopes, memo maps)
 * costs a measurable share of a hook run.
 */

/** The hook's services over any infrastructure (files in production, memory in tests). */
export const hookServices = <E, R>(
  infrastructure: Layer.Layer<Infrastructure, E, R>
): Layer.Layer<Infrastructure | SurfacingServices, E, R> =>
  Layer.effectContext(surfacingServices(Effect.context<Infrastructure>())).pipe(Layer.provide(infrastructure))

/**
 * The hook's production services, over the real process's HostEnv: the store on the resolved (and, once,
 * migrated) home, file locks, ids (src/platform/NodeLayers.ts), then the surfacing services.
 */
export const nodeHookServices: Effect.Effect<
  Context.Context<Infrastructure | SurfacingServices>,
  BridgeFailure,
  HostEnv
> = surfacingServices(nodeInfrastructure)
