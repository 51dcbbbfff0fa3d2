import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { BridgeFailure } from "../domain/Errors.js"
import * as FileLock from "../services/FileLock.js"
import { HostEnv } from "../services/HostEnv.js"
import * as Ids from "../services/Ids.js"
import { IndexChecksum } from "../services/IndexChecksum.js"
import { addService, type Infrastructure } from "../services/Infrastructure.js"
import { Lock } from "../services/Lock.js"
import { FILE_MODE, Store, TEMP_PREFIX } from "../services/store/Store.js"
import { resolveHomeAndMigrate } from "./Migration.js"
import * as NodeHostEnv from "./NodeHostEnv.js"
import * as NodeIndexChecksum from "./NodeIndexChecksum.js"
import * as SpareTempFiles from "./SpareTempFiles.js"
import * as FileSystemStore from "./store/FileSystemStore.js"
import { tempName } from "./TempFile.js"

/** The store on the resolved (and, once, migrated) home directory. */
const storeOnHome = (options?: FileSystemStore.FileSystemStoreOptions) =>
  Effect.map(Effect.flatMap(HostEnv, resolveHomeAndMigrate), (home) => FileSystemStore.make(home, options))

/**
 * The infrastructure on the real machine, in order, over the given HostEnv: the store on the home, file locks
 * (in the store), ids. One list for every entry point: as a layer below, or run directly by the hook.
 */
const infrastructureWith = (options?: FileSystemStore.FileSystemStoreOptions) =>
  Effect.map(HostEnv, (env) => Context.make(HostEnv, env)).pipe(
    addService(Store, storeOnHome(options)),
    addService(Lock, FileLock.make),
    addService(Ids.Ids, Ids.make),
    addService(IndexChecksum, NodeIndexChecksum.make)
  )

export const nodeInfrastructure: Effect.Effect<
  Context.Context<Infrastructure>,
  BridgeFailure,
  HostEnv
> = infrastructureWith()

/** The infrastructure on the real machine, over a HostEnv the entry point already has. */
export const layerInfrastructure: Layer.Layer<Infrastructure, BridgeFailure, HostEnv> =
  Layer.effectContext(nodeInfrastructure)

/**
 * The same for a process that lives as long as a session (the MCP server, the daemon): its store writes into
 * temp files made ahead (ADR-0074), which are removed when the layer is released.
 */
export const layerInfrastructureLongLived: Layer.Layer<Infrastructure, BridgeFailure, HostEnv> = Layer.scopedContext(
  Effect.flatMap(
    Effect.acquireRelease(
      Effect.sync(() => SpareTempFiles.make({ name: () => tempName(TEMP_PREFIX), mode: FILE_MODE })),
      (spares) => Effect.sync(() => spares.close())
    ),
    (spares) => infrastructureWith({ spares })
  )
)

/** Infrastructure for every entry point: HostEnv, Store, Lock, Ids on the real machine. */
export const InfraLayer: Layer.Layer<Infrastructure, BridgeFailure> = layerInfrastructure.pipe(
  Layer.provide(NodeHostEnv.layer)
)

/** InfraLayer for a process that lives as long as a session (the daemon): temp files made ahead (ADR-0074). */
export const InfraLayerLongLived: Layer.Layer<Infrastructure, BridgeFailure> = layerInfrastructureLongLived.pipe(
  Layer.provide(NodeHostEnv.layer)
)
