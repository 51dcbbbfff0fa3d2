import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { BridgeFailure } from "../domain/Errors.js"
import * as FileLock from "../services/FileLock.js"
import { HostEnv } from "../services/HostEnv.js"
import * as Ids from "../services/Ids.js"
import { addService, type Infrastructure } from "../services/Infrastructure.js"
import { Lock } from "../services/Lock.js"
import { Store } from "../services/store/Store.js"
import { resolveHomeAndMigrate } from "./Migration.js"
import * as NodeHostEnv from "./NodeHostEnv.js"
import * as FileSystemStore from "./store/FileSystemStore.js"

/** The store on the resolved (and, once, migrated) home directory. */
const storeOnHome = Effect.map(Effect.flatMap(HostEnv, resolveHomeAndMigrate), (home) => FileSystemStore.make(home))

/**
 * The infrastructure on the real machine, in order, over the given HostEnv: the store on the home, file locks
 * (in the store), ids. One list for every entry point: as a layer below, or run directly by the hook.
 */
export const nodeInfrastructure: Effect.Effect<Context.Context<Infrastructure>, BridgeFailure, HostEnv> = Effect.map(
  HostEnv,
  (env) => Context.make(HostEnv, env)
).pipe(addService(Store, storeOnHome), addService(Lock, FileLock.make), addService(Ids.Ids, Ids.make))

/** The infrastructure on the real machine, over a HostEnv the entry point already has. */
export const layerInfrastructure: Layer.Layer<Infrastructure, BridgeFailure, HostEnv> =
  Layer.effectContext(nodeInfrastructure)

/** Infrastructure for every entry point: HostEnv, Store, Lock, Ids on the real machine. */
export const InfraLayer: Layer.Layer<Infrastructure, BridgeFailure> = layerInfrastructure.pipe(
  Layer.provide(NodeHostEnv.layer)
)
