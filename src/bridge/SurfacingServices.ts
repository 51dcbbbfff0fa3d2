import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { addService, type Infrastructure } from "../services/Infrastructure.js"
import * as Broadcasts from "./Broadcasts.js"
import * as Envelopes from "./Envelopes.js"
import * as Identity from "./Identity.js"
import * as Sessions from "./Sessions.js"
import * as Surfacing from "./Surfacing.js"

/** The services that show a session its new messages at a prompt: what the hook builds. */
export type SurfacingServices =
  Sessions.Sessions | Identity.Identity | Envelopes.Envelopes | Broadcasts.Broadcasts | Surfacing.Surfacing

/**
 * The first part of the bridge's one ordered list of constructors (the rest is in BridgeLayer.ts): each service is
 * made once, over the infrastructure and the services before it. The hook runs this part alone, so this file
 * imports none of the other services (the hook's bundle stays without them).
 */
export const surfacingServices = <E, R>(
  infrastructure: Effect.Effect<Context.Context<Infrastructure>, E, R>
): Effect.Effect<Context.Context<Infrastructure | SurfacingServices>, E, R> =>
  infrastructure.pipe(
    addService(Sessions.Sessions, Sessions.make),
    addService(Identity.Identity, Identity.make),
    addService(Envelopes.Envelopes, Envelopes.make),
    addService(Broadcasts.Broadcasts, Broadcasts.make),
    addService(Surfacing.Surfacing, Surfacing.make)
  )
