import * as Effect from "effect/Effect"
import type * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import { addService, type Infrastructure } from "../services/Infrastructure.js"
import * as Artifacts from "./Artifacts.js"
import * as Channels from "./Channels.js"
import * as DashboardQueries from "./DashboardQueries.js"
import * as Housekeeping from "./Housekeeping.js"
import * as Mailbox from "./Mailbox.js"
import { RemoteSends } from "./RemoteSends.js"
import * as Search from "./Search.js"
import * as SearchIndex from "./SearchIndex.js"
import { surfacingServices, type SurfacingServices } from "./SurfacingServices.js"

/** Every domain service a tool handler, the hook, the CLI or the UI may ask for. */
export type BridgeServices =
  | SurfacingServices
  | Artifacts.Artifacts
  | Channels.Channels
  | Mailbox.Mailbox
  | SearchIndex.SearchIndex
  | Search.Search
  | Housekeeping.Housekeeping
  | DashboardQueries.DashboardQueries
  | RemoteSends

/**
 * The bridge's one ordered list of constructors: the surfacing services (SurfacingServices.ts), then the rest, each
 * made once over the infrastructure and the services before it.
 */
export const bridgeServices = <E, R>(
  infrastructure: Effect.Effect<Context.Context<Infrastructure>, E, R>
): Effect.Effect<Context.Context<Infrastructure | BridgeServices>, E, R | RemoteSends> =>
  surfacingServices(infrastructure).pipe(
    // The door to the cloud layer comes from the composition (src/cloud/RemoteSendsLayer.ts is a floor up).
    addService(RemoteSends, RemoteSends),
    addService(Artifacts.Artifacts, Artifacts.make),
    addService(Channels.Channels, Channels.make),
    addService(Mailbox.Mailbox, Mailbox.make),
    addService(SearchIndex.SearchIndex, SearchIndex.make),
    addService(Search.Search, Search.make),
    addService(Housekeeping.Housekeeping, Housekeeping.make),
    addService(DashboardQueries.DashboardQueries, DashboardQueries.make)
  )

/**
 * All domain services over the infrastructure (Store, Lock, Ids, HostEnv) and the door to the cloud layer
 * (`RemoteSends`: its layer lives in src/cloud/RemoteSendsLayer.ts, a floor up, so the composition provides it), as a layer. Provided once per process,
 * by the entry point's composition file (src/cli/main.ts, src/mcp/main.ts); the hook runs the same list directly
 * (src/hook/HookLayer.ts).
 */
export const BridgeLayer: Layer.Layer<BridgeServices, never, Infrastructure | RemoteSends> = Layer.effectContext(
  bridgeServices(Effect.context<Infrastructure>())
)
