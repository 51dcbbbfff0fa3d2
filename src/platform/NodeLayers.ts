import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as FileLock from "../services/FileLock.js"
import { HostEnv } from "../services/HostEnv.js"
import * as Ids from "../services/Ids.js"
import { layerFileSystem } from "./store/FileSystemStore.js"
import { resolveHomeAndMigrate } from "./Migration.js"
import * as NodeHostEnv from "./NodeHostEnv.js"

/** Store on the resolved (and, once, migrated) home directory. */
export const StoreLayer = Layer.unwrapEffect(
  Effect.map(Effect.flatMap(HostEnv, resolveHomeAndMigrate), layerFileSystem)
).pipe(Layer.provide(NodeHostEnv.layer))

/** Infrastructure for every entry point: HostEnv, Store, Lock, Ids on the real machine. */
export const InfraLayer = FileLock.layerFile.pipe(
  Layer.provideMerge(Layer.mergeAll(StoreLayer, NodeHostEnv.layer, Ids.layer))
)
