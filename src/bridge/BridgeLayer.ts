import * as Layer from "effect/Layer"
import type { HostEnv } from "../services/HostEnv.js"
import type { Ids } from "../services/Ids.js"
import type { Lock } from "../services/Lock.js"
import type { Store } from "../services/Store.js"
import * as Artifacts from "./Artifacts.js"
import * as Broadcasts from "./Broadcasts.js"
import * as Channels from "./Channels.js"
import * as Envelopes from "./Envelopes.js"
import * as RemoteSendsLayer from "../cloud/RemoteSendsLayer.js"
import * as Identity from "./Identity.js"
import * as Mailbox from "./Mailbox.js"
import type { RemoteSends } from "./RemoteSends.js"
import * as Search from "./Search.js"
import * as Sessions from "./Sessions.js"
import * as Surfacing from "./Surfacing.js"

/** Every domain service a tool handler, the hook, the CLI or the UI may ask for. */
export type BridgeServices =
  | Sessions.Sessions
  | Identity.Identity
  | Envelopes.Envelopes
  | Artifacts.Artifacts
  | Broadcasts.Broadcasts
  | Channels.Channels
  | Mailbox.Mailbox
  | Surfacing.Surfacing
  | Search.Search
  | RemoteSends

// RemoteSends reads the cloud layer's plain files; its sealing code loads only when a message is queued.
const base = Layer.mergeAll(Sessions.layer, Envelopes.layer, Artifacts.layer, RemoteSendsLayer.layer)
const withChannels = Layer.mergeAll(Channels.layer, Broadcasts.layer, Identity.layer).pipe(Layer.provideMerge(base))
const withSurfacing = Surfacing.layer.pipe(Layer.provideMerge(withChannels))
const withMailbox = Layer.mergeAll(Mailbox.layer, Search.layer).pipe(Layer.provideMerge(withSurfacing))

/** All domain services over the infrastructure (Store, Lock, Ids, HostEnv). Build it once per process. */
export const BridgeLayer: Layer.Layer<BridgeServices, never, Store | Lock | Ids | HostEnv> = withMailbox
