import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { HostEnv } from "./HostEnv.js"
import type { Ids } from "./Ids.js"
import type { Lock } from "./Lock.js"
import type { Store } from "./store/Store.js"

/** The ports every entry point's graph starts from: files, locks, ids and the process (real or in memory). */
export type Infrastructure = Store | Lock | Ids | HostEnv

/**
 * One step of a graph built in order: runs `make` over the services built so far and adds what it made under
 * `tag`. What `make` needs and the context does not hold stays a requirement of the result, so a list of steps in
 * the wrong order does not type-check where it is run. A list of steps is one service graph, usable two ways: as a
 * layer (`Layer.effectContext`) where a layer graph is wanted, or run directly where building one costs too much
 * (the hook).
 */
export const addService =
  <I, S, E2, R2>(tag: Context.Tag<I, S>, make: Effect.Effect<S, E2, R2>) =>
  <A, E, R>(
    self: Effect.Effect<Context.Context<A>, E, R>
  ): Effect.Effect<Context.Context<A | I>, E | E2, R | Exclude<R2, A>> =>
    Effect.flatMap(self, (context) =>
      Effect.map(Effect.provide(make, context), (service) => Context.add(context, tag, service))
    )
