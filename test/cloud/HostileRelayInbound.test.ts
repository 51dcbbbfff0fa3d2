import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { seal } from "../../src/protocol/Envelope.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import { account, T0 } from "../protocol/support.js"
import { stamped } from "../support/HostileRelay.js"
import { hostileHomes, poll, sendFrom, sentState, surfaced } from "./hostileHomes.js"

/*
 * What a hostile relay serves to a receiver's daemon (docs/cloud.md "What is proven"): replays, reordering, a
 * relabelled sender, a ciphertext moved to another account, a forged receipt. Nothing it forges or replays is ever
 * surfaced: not in an inbox file, not in bridge_list_inbox (the hook's block reads the same inbox), not held.
 */

describe("a hostile relay, inbound", () => {
  it.scoped("a replay of everything already delivered surfaces nothing new", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      yield* sendFrom(h.alice, "bob", "one")
      yield* sendFrom(h.alice, "bob", "two")
      assert.strictEqual((yield* poll(h.bob)).delivered, 2)
      const before = yield* surfaced(h.bob, h.bobApi)
      h.hostile.replayAll(h.tokens.bob)
      h.hostile.replayAll(h.tokens.bob)
      const replayed = yield* poll(h.bob)
      assert.deepStrictEqual([replayed.delivered, replayed.duplicates], [0, 4])
      assert.deepStrictEqual(yield* surfaced(h.bob, h.bobApi), before)
      assert.deepStrictEqual([before.subjects, before.hookBlock], [["one", "two"], 2])
    })
  )

  it.scoped("a batch served in reverse order is delivered once each", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      h.hostile.tamper({ reorder: true })
      for (const s of ["a", "b", "c"]) yield* sendFrom(h.alice, "bob", s)
      const batch = yield* poll(h.bob)
      assert.strictEqual(batch.delivered, 3)
      assert.deepStrictEqual((yield* surfaced(h.bob, h.bobApi)).subjects, ["a", "b", "c"])
      h.hostile.replayAll(h.tokens.bob)
      assert.strictEqual((yield* poll(h.bob)).duplicates, 3)
      assert.strictEqual((yield* surfaced(h.bob, h.bobApi)).files, 3)
    })
  )

  it.scoped("an envelope relabelled as coming from another contact is quarantined, not delivered", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      h.hostile.tamper({ delivered: (d) => ({ ...d, from: h.ids.alice }) })
      yield* sendFrom(h.carol, "bob", "from carol, claimed by alice")
      const batch = yield* poll(h.bob)
      assert.deepStrictEqual([batch.delivered, batch.unrouted, batch.quarantined], [0, 0, 1])
      const seen = yield* surfaced(h.bob, h.bobApi)
      assert.deepStrictEqual([seen.subjects, seen.hookBlock, seen.files, seen.held, seen.quarantined], [[], 0, 0, 0, 1])
    })
  )

  it.scoped("a ciphertext for bob moved to carol is quarantined there, as is one whose `to` is rewritten", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      yield* sendFrom(h.alice, "bob", "for bob only")
      const original = h.hostile.sent.at(-1)!.envelope
      h.hostile.serve(h.tokens.carol, [
        stamped(original, h.ids.alice),
        stamped({ ...original, to: h.ids.carol }, h.ids.alice)
      ])
      const batch = yield* poll(h.carol)
      assert.deepStrictEqual([batch.delivered, batch.unrouted, batch.quarantined], [0, 0, 2])
      const seen = yield* surfaced(h.carol, h.carolApi)
      assert.deepStrictEqual([seen.subjects, seen.hookBlock, seen.files, seen.held], [[], 0, 0, 0])
      assert.strictEqual((yield* poll(h.bob)).delivered, 1, "bob still gets his message")
    })
  )

  it.scoped("a receipt forged by the relay is quarantined and moves no delivery state", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      const { id } = yield* sendFrom(h.alice, "bob", "tracked")
      assert.deepStrictEqual(yield* sentState(h.alice, id), Option.some("stored"))
      // The relay holds alice's public keys and can seal to her; it signs with a key of its own, claiming bob.
      const relayKeys = yield* h.bob(account("relay", 9))
      const aliceRow = (yield* h.bob(Effect.flatMap(RelayClient, (r) => r.contacts(h.tokens.bob)))).find(
        (r) => r.handle === "alice"
      )!
      const forged = yield* h.bob(
        seal({
          id: "01JH0000000000000000000001" as never,
          exp: Math.floor(T0 / 1000) + 86_400,
          from: { accountId: h.ids.bob, identity: relayKeys.identity },
          to: { accountId: h.ids.alice, handle: "alice" as Handle, ikPub: aliceRow.ikPub!, ek: aliceRow.ek! },
          inner: { kind: "receipt", ts: T0, fromHandle: "bob" as Handle, to: { any: true }, replyTo: id, body: "read" }
        })
      )
      h.hostile.serve(h.tokens.alice, [stamped(forged, h.ids.bob)])
      const batch = yield* poll(h.alice)
      assert.deepStrictEqual([batch.receipts, batch.quarantined], [0, 1])
      assert.deepStrictEqual(yield* sentState(h.alice, id), Option.some("stored"))
    })
  )
})
