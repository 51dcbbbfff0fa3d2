import { Layer } from "effect"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { layerMemory as storeMemory } from "../../src/services/store/MemoryStore.js"

/** Memory infrastructure: Store, Lock, Ids, HostEnv. Use a fresh one per test. */
export const memoryInfra = (env: HostEnv.MemoryHostEnvOptions = {}) =>
  Layer.mergeAll(storeMemory, Lock.layerMemory, Ids.layer, HostEnv.layerMemory(env))
