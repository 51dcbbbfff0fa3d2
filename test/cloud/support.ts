import { Effect, Layer, TestClock } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as CloudHome from "../../src/cloud/CloudHome.js"
import type { Credentials } from "../../src/cloud/CloudState.js"
import type { SessionRecord } from "../../src/domain/Records.js"
import type { MessageId } from "../../src/domain/Ulid.js"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import { seal } from "../../src/protocol/Envelope.js"
import type { Envelope, InnerDraft } from "../../src/protocol/WireSchemas.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"
import { register } from "../bridge/support.js"
import { type Account, account, draft, T0 } from "../protocol/support.js"
import { type FakeRelay, makeFakeRelay } from "../support/FakeRelay.js"

export { T0 }
export const EXP = Math.floor(T0 / 1000) + 7 * 86_400

/** Bob's home (this machine) on a store, the bridge over it, the cloud state, seeded crypto and a fake relay. */
export const cloudLayer = (store: StoreShape, relay: FakeRelay, env: Record<string, string> = {}) =>
  Layer.mergeAll(CloudHome.layer, BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Layer.succeed(Store, store),
        Lock.layerMemory,
        Ids.layer,
        HostEnv.layerMemory({ env }),
        layerSeeded("cloud-client"),
        relay.layer
      )
    )
  )

export interface Fixture {
  readonly alice: Account
  readonly bob: Account
  readonly carol: Account
  readonly relay: FakeRelay
  readonly credentials: Credentials
}

/** Writes bob's cloud state: identity, encryption key, credentials and contacts (alice active, carol revoked). */
export const setupBob = (relay: FakeRelay) =>
  Effect.gen(function* () {
    const alice = yield* account("alice", 1)
    const bob = yield* account("bob", 2)
    const carol = yield* account("carol", 3)
    const aliceId = relay.addAccount("alice", "alice-token-xxxxxxxxxxxxxxxx")
    const bobId = relay.addAccount("bob", "bob-token-xxxxxxxxxxxxxxxxxx")
    const carolId = relay.addAccount("carol", "carol-token-xxxxxxxxxxxxxxxx")
    relay.setContact(aliceId, bobId, "active")
    relay.setContact(carolId, bobId, "revoked")
    const withId = (a: Account, id: string): Account => ({
      ...a,
      accountId: id as Account["accountId"],
      sender: { ...a.sender, accountId: id as Account["accountId"] },
      contact: { ...a.contact, accountId: id as Account["accountId"] },
      receiver: { ...a.receiver, accountId: id as Account["accountId"] }
    })
    const fixture = {
      alice: withId(alice, aliceId),
      bob: withId(bob, bobId),
      carol: withId(carol, carolId)
    }
    const home = yield* CloudHome.CloudHome
    yield* home.writeIdentity(bob.identity.privateKey)
    yield* home.writeEncryptionKey({
      v: 1,
      keyId: bob.ek.record.keyId,
      record: bob.ek.record,
      privateKey: bob.ek.privateKey
    })
    const credentials: Credentials = {
      v: 1,
      relayUrl: "http://127.0.0.1:8788",
      relayId: "relay-test",
      handle: "bob" as Credentials["handle"],
      accountId: fixture.bob.accountId,
      token: "bob-token-xxxxxxxxxxxxxxxxxx",
      registeredAt: T0
    }
    yield* home.writeCredentials(credentials)
    yield* home.writeContacts([
      {
        handle: alice.handle,
        accountId: aliceId as Account["accountId"],
        ikPub: alice.identity.publicKey,
        state: "active",
        ek: alice.ek.record,
        pinnedAt: T0
      },
      {
        handle: carol.handle,
        accountId: carolId as Account["accountId"],
        ikPub: carol.identity.publicKey,
        state: "revoked",
        ek: carol.ek.record,
        pinnedAt: T0
      }
    ])
    return { ...fixture, relay, credentials } satisfies Fixture
  })

/** A ULID for test message n. */
export const msgId = (n: number) => `01JF${String(n).padStart(22, "0")}` as MessageId

/** Seals a message from `from` to bob. */
export const sealTo = (f: Fixture, from: Account, n: number, overrides: Partial<InnerDraft> = {}) =>
  seal({
    id: msgId(n),
    exp: EXP,
    from: from.sender,
    to: f.bob.contact,
    inner: draft({ fromHandle: from.handle, ...overrides })
  })

/** Seals and spools a message from `from` to bob at the relay; returns the envelope and its seq. */
export const sendToBob = (f: Fixture, from: Account, n: number, overrides: Partial<InnerDraft> = {}) =>
  Effect.map(sealTo(f, from, n, overrides), (envelope: Envelope) => ({
    envelope,
    seq: f.relay.inject(from.accountId, envelope)
  }))

/** A fresh memory store. */
export const freshStore = makeMemory

/**
 * Wraps a store so that its `n`-th mutating call (write, create, append, move, remove) and every later one fail
 * as a crash would stop them: `arm(n)` starts counting, `disarm()` lets everything through again.
 */
export const crashingStore = (base: StoreShape) => {
  let budget = Number.POSITIVE_INFINITY
  let count = 0
  const guard = <A, E>(op: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      count++
      return count >= budget ? Effect.die("crash") : op
    })
  const store: StoreShape = {
    ...base,
    write: (p, d) => guard(base.write(p, d)),
    createExclusive: (p, d) => guard(base.createExclusive(p, d)),
    createEmpty: (p) => guard(base.createEmpty(p)),
    append: (p, d) => guard(base.append(p, d)),
    move: (a, b) => guard(base.move(a, b)),
    remove: (p) => guard(base.remove(p))
  }
  return {
    store,
    arm: (n: number) => {
      count = 0
      budget = n
    },
    disarm: () => {
      budget = Number.POSITIVE_INFINITY
    },
    writes: () => count
  }
}

export { makeFakeRelay }

/** Runs `body` on bob's home (alice's keys published on the fake relay) with a local session "backend". */
export const withBob = <A, E>(body: (f: Fixture, me: SessionRecord) => Effect.Effect<A, E, any>, env = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const relay = makeFakeRelay()
    return yield* Effect.gen(function* () {
      const f = yield* setupBob(relay)
      relay.publishKeys(f.alice.accountId, f.alice.identity.publicKey, f.alice.ek.record)
      const me = yield* register("backend")
      return yield* body(f, me)
    }).pipe(Effect.provide(cloudLayer(yield* freshStore, relay, env)))
  })
