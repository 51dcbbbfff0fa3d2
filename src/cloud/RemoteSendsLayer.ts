import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { makeRemoteLimiter } from "../bridge/RemoteLimits.js"
import { RemoteSends } from "../bridge/RemoteSends.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"

/*
 * RemoteSends on this machine's cloud state. This module is all the MCP server (through BridgeLayer) loads of the
 * cloud layer at start: the state readers (RemoteState.ts) load at the first call that needs them, and listing
 * sessions on a home without `cloud/` loads nothing. The guardrails' windows live here, for the process's life.
 */

/** The cloud folder, as the Store names it (CloudLayout.dir). */
const CLOUD_DIR = "cloud"

export const make = Effect.gen(function* () {
  const store = yield* Store
  const env = yield* HostEnv
  const limiter = makeRemoteLimiter(Option.getOrUndefined(env.get("SESSION_BRIDGE_REMOTE_RATE")) !== "off")
  const state = Effect.promise(() => import("./RemoteState.js"))
  const provideStore = Effect.provideService(Store, store)
  const hasCloud = Effect.map(store.stat(CLOUD_DIR), Option.isSome)

  return RemoteSends.of({
    standing: (handle) => Effect.flatMap(state, (s) => s.standing(handle)).pipe(provideStore),
    admit: limiter.admit,
    outboxFile: (input) => Effect.flatMap(state, (s) => s.outboxFile(input)),
    delivery: (id) => Effect.flatMap(state, (s) => s.delivery(id)).pipe(provideStore),
    sessions: Effect.flatMap(hasCloud, (has) =>
      has ? Effect.flatMap(state, (s) => s.sessions).pipe(provideStore) : Effect.succeed([])
    )
  })
})

export const layer: Layer.Layer<RemoteSends, never, Store | HostEnv> = Layer.effect(RemoteSends, make)
