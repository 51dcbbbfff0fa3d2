import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { Layout } from "../../src/domain/Layout.js"
import { Store } from "../../src/services/store/Store.js"
import { networkDown } from "../support/FakeRelay.js"
import { cloudLayer, type Fixture, freshStore, makeFakeRelay, sendToBob, setupBob, T0 } from "./support.js"

/*
 * The pins an inbound batch is checked against: a contact this home added stays `pending` locally until the relay
 * is seen to list it active. Its first messages may arrive before the daemon's periodic contact sync; they must be
 * delivered, not dropped past the cursor.
 */

const withBob = <A, E>(body: (f: Fixture) => Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const relay = makeFakeRelay()
    return yield* Effect.flatMap(setupBob(relay), body).pipe(Effect.provide(cloudLayer(yield* freshStore, relay)))
  })

/** Bob's pin of alice set back to `pending` (as after `contact add`, before the daemon synced). */
const alicePending = Effect.gen(function* () {
  const home = yield* CloudHome
  const pins = yield* home.contacts
  yield* home.writeContacts(pins.map((c) => (c.handle === "alice" ? { ...c, state: "pending" as const } : c)))
})

const aliceState = Effect.map(
  Effect.flatMap(CloudHome, (h) => h.contacts),
  (pins) => pins.find((c) => c.handle === "alice")?.state
)

describe("inbound batches and pending pins", () => {
  it.effect("a message from a contact still pending locally but active at the relay is delivered", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* alicePending
        const api = yield* Effect.flatMap(Sessions, (s) => s.register({ label: "api", cwd: "/w", provider: "codex" }))
        yield* sendToBob(f, f.alice, 1, { to: { label: "api" }, subject: "right after accept" })
        const result = yield* pollOnce(f.credentials, 0)
        assert.deepStrictEqual([result.delivered, result.dropped], [1, 0])
        assert.strictEqual(yield* aliceState, "active", "the relay's word was applied to the pin")
        const names = yield* Effect.flatMap(Store, (s) => s.list(Layout.inboxDir(api.sessionId)))
        assert.strictEqual(names.length, 1)
      })
    )
  )

  it.effect("when the relay cannot list contacts, the batch is left for the next poll, nothing dropped", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* alicePending
        yield* sendToBob(f, f.alice, 1)
        f.relay.fail("contacts", networkDown())
        const failed = yield* Effect.either(pollOnce(f.credentials, 0))
        assert.strictEqual(failed._tag, "Left")
        assert.strictEqual(yield* (yield* CloudHome).cursor, 0, "the cursor did not move")
        assert.strictEqual(f.relay.spooled(f.bob.accountId).length, 1, "nothing was acked")
        const again = yield* pollOnce(f.credentials, 0)
        assert.deepStrictEqual([again.unrouted, again.dropped], [1, 0])
      })
    )
  )

  it.effect("a contact the relay still lists as pending is dropped as before (the relay contradicts itself)", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* alicePending
        f.relay.setContact(f.alice.accountId, f.bob.accountId, "pending")
        yield* sendToBob(f, f.alice, 1)
        const result = yield* pollOnce(f.credentials, 0)
        assert.deepStrictEqual([result.delivered, result.unrouted, result.dropped], [0, 0, 1])
        assert.strictEqual(yield* aliceState, "pending")
      })
    )
  )
})
