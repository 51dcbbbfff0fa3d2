import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Broadcasts from "../bridge/Broadcasts.js"
import * as Envelopes from "../bridge/Envelopes.js"
import * as Identity from "../bridge/Identity.js"
import * as Sessions from "../bridge/Sessions.js"
import * as Surfacing from "../bridge/Surfacing.js"
import * as FileSystemStore from "../platform/FileSystemStore.js"
import { resolveHomeAndMigrate } from "../platform/Migration.js"
import * as FileLock from "../services/FileLock.js"
import { HostEnv } from "../services/HostEnv.js"
import * as Ids from "../services/Ids.js"
import { Lock } from "../services/Lock.js"
import { Store } from "../services/Store.js"
import type { BridgeFailure } from "../domain/Errors.js"
import type { HookServices } from "./HookActions.js"

/**
 * The domain services the hook uses, built in one step from the infrastructure's services: each service's `make`
 * runs once, in dependency order, over the services made before it. The same services as chaining their layers,
 * without building a layer graph (scopes and memo maps) on every hook run.
 */
const domainServices = Effect.gen(function* () {
  const infra = Context.make(Store, yield* Store).pipe(
    Context.add(Lock, yield* Lock),
    Context.add(Ids.Ids, yield* Ids.Ids),
    Context.add(HostEnv, yield* HostEnv)
  )
  const c1 = Context.add(infra, Sessions.Sessions, yield* Effect.provide(Sessions.make, infra))
  const c2 = Context.add(c1, Identity.Identity, yield* Effect.provide(Identity.make, c1))
  const c3 = Context.add(c2, Envelopes.Envelopes, yield* Effect.provide(Envelopes.make, c2))
  const c4 = Context.add(c3, Broadcasts.Broadcasts, yield* Effect.provide(Broadcasts.make, c3))
  return Context.add(c4, Surfacing.Surfacing, yield* Effect.provide(Surfacing.make, c4))
})

/** The domain services the hook uses, over any infrastructure (files in production, memory in tests). */
export const hookServices = <E, R>(
  infra: Layer.Layer<Store | Lock | Ids.Ids | HostEnv, E, R>
): Layer.Layer<HookServices | Store | HostEnv, E, R> => Layer.effectContext(domainServices).pipe(Layer.provide(infra))

/**
 * The production infrastructure as InfraLayer (src/platform/NodeLayers.ts) assembles it, made in one step: the
 * store on the resolved (and, once, migrated) home, file locks and ids, over the real process's HostEnv.
 */
const nodeInfra = Effect.gen(function* () {
  const env = yield* HostEnv
  const store = FileSystemStore.make(yield* resolveHomeAndMigrate(env))
  const base = Context.make(HostEnv, env).pipe(Context.add(Store, store))
  const lock = yield* Effect.provide(FileLock.make, base)
  return base.pipe(Context.add(Lock, lock), Context.add(Ids.Ids, yield* Ids.make))
})

/**
 * The hook's production services: the store on the resolved home, file locks, over the real process. An Effect
 * that makes the services' context rather than a layer: nothing in it needs a scope, and building a layer graph
 * costs a measurable share of a hook run.
 */
export const nodeHookServices: Effect.Effect<
  Context.Context<HookServices | Store | HostEnv>,
  BridgeFailure,
  HostEnv
> = Effect.flatMap(nodeInfra, (infra) => Effect.provide(domainServices, infra))
