import { Layer } from "effect"
import * as Artifacts from "../bridge/Artifacts.js"
import * as Broadcasts from "../bridge/Broadcasts.js"
import * as Channels from "../bridge/Channels.js"
import * as Envelopes from "../bridge/Envelopes.js"
import * as Identity from "../bridge/Identity.js"
import * as Mailbox from "../bridge/Mailbox.js"
import * as Sessions from "../bridge/Sessions.js"
import { InfraLayer } from "../platform/NodeLayers.js"
import type { HostEnv } from "../services/HostEnv.js"
import type { Ids } from "../services/Ids.js"
import type { Lock } from "../services/Lock.js"
import type { Store } from "../services/Store.js"
import type { HookServices } from "./HookActions.js"

/** The domain services the hook uses, over any infrastructure (files in production, memory in tests). */
export const hookServices = <E, R>(
  infra: Layer.Layer<Store | Lock | Ids | HostEnv, E, R>
): Layer.Layer<HookServices | Store | HostEnv, E, R> =>
  Mailbox.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(Broadcasts.layer, Channels.layer, Artifacts.layer)),
    Layer.provideMerge(Envelopes.layer),
    Layer.provideMerge(Identity.layer),
    Layer.provideMerge(Sessions.layer),
    Layer.provideMerge(infra)
  )

/** The hook's production services: the store on the resolved home, file locks, the real process. */
export const HookLayer = hookServices(InfraLayer)
