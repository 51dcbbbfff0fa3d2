import { Context, Effect, Layer, TestClock } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as CloudHome from "../../src/cloud/CloudHome.js"
import { register } from "../../src/cloud/Register.js"
import { acceptContact, addContact, createInvite } from "../../src/cloud/Contacts.js"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"
import { T0 } from "../protocol/support.js"
import { type FakeRelay, makeFakeRelay } from "../support/FakeRelay.js"

/** One home on a memory store: the bridge, the cloud state, crypto seeded per home, the shared fake relay. */
export const homeLayer = (store: StoreShape, relay: FakeRelay, seed: string) =>
  Layer.mergeAll(CloudHome.layer, BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Layer.succeed(Store, store),
        Lock.layerMemory,
        Ids.layer,
        HostEnv.layerMemory(),
        layerSeeded(seed),
        relay.layer
      )
    )
  )

type HomeContext = Context.Context<Layer.Layer.Success<ReturnType<typeof homeLayer>>>

/** Runs an effect in one home. */
export const inHome =
  (home: HomeContext) =>
  <A, E>(effect: Effect.Effect<A, E, any>): Effect.Effect<A, E> =>
    Effect.provide(effect, home) as Effect.Effect<A, E>

/** Two registered homes on one fake relay at T0 (scoped: call inside Effect.scoped or it.scoped). */
export const twoHomes = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  const relay = makeFakeRelay()
  const aliceStore = yield* makeMemory
  const bobStore = yield* makeMemory
  const alice = inHome(yield* Layer.build(homeLayer(aliceStore, relay, "alice-home")))
  const bob = inHome(yield* Layer.build(homeLayer(bobStore, relay, "bob-home")))
  const url = "http://127.0.0.1:8788"
  const a = yield* alice(register({ relayUrl: url, handle: "alice" as Handle }))
  const b = yield* bob(register({ relayUrl: url, handle: "bob" as Handle }))
  return { relay, alice, bob, aliceStore, bobStore, aliceId: a.accountId, bobId: b.accountId }
})

/** alice invites, bob adds, alice accepts. */
export const befriend = (h: Effect.Effect.Success<typeof twoHomes>) =>
  Effect.gen(function* () {
    const invite = yield* h.alice(createInvite)
    const added = yield* h.bob(addContact(invite.code))
    const accepted = yield* h.alice(acceptContact("bob" as Handle))
    return { invite, added, accepted }
  })
