import { Effect, Layer } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as Sessions from "../../src/bridge/Sessions.js"
import type { ProviderId } from "../../src/domain/Records.js"
import * as HostConfig from "../../src/services/HostConfig.js"
import type { MemoryHostEnvOptions } from "../../src/services/HostEnv.js"
import { memoryInfra } from "../support/layers.js"

/** Memory store, domain services and host configs, as the CLI sees them; fresh per test. */
export const cliTestLayer = (env: MemoryHostEnvOptions = {}) =>
  Layer.mergeAll(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer)), HostConfig.layerMemory()).pipe(
    Layer.provideMerge(memoryInfra({ home: "/home/tester", cwd: "/work/project", ...env }))
  )

/** Registers a session as a host's hook would. */
export const seedSession = (label: string, cwd: string, provider: ProviderId = "claude-code") =>
  Effect.flatMap(Sessions.Sessions, (s) => s.register({ label, cwd, provider }))
