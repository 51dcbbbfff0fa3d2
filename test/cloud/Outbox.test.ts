import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, TestClock } from "effect"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { pumpOnce, queued } from "../../src/cloud/Outbox.js"
import { open } from "../../src/protocol/Envelope.js"
import { Store } from "../../src/services/store/Store.js"
import { networkDown, quotaFull, rateLimited } from "../support/FakeRelay.js"
import { publishAliceKey, queueToAlice, sentEntry, withBob } from "./outboxSupport.js"
import { msgId, T0 } from "./support.js"

describe("outbound queue", () => {
  it.effect(
    "posts a queued message sealed to the contact's key with its own id, then moves it to sent/ as stored",
    () =>
      withBob((f) =>
        Effect.gen(function* () {
          assert.isTrue(yield* queueToAlice(1))
          assert.isFalse(yield* queueToAlice(1), "the same id is queued once")
          assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
          assert.deepStrictEqual(yield* queued, [])
          const sent = yield* sentEntry(1)
          assert.strictEqual(sent.state, "stored")
          assert.strictEqual(sent.seq, 1)
          const spooled = f.relay.spooled(f.alice.accountId)
          assert.strictEqual(spooled.length, 1)
          assert.strictEqual(spooled[0]!.id, msgId(1))
          const { seq: _s, from: _f, ...wire } = spooled[0]!
          const opened = yield* open(wire, { ...f.bob.contact }, f.alice.receiver)
          assert.strictEqual(opened.inner.subject, "subject 1")
          assert.strictEqual(opened.inner.fromHandle, "bob")
          assert.deepStrictEqual(opened.inner.to, { label: "api" })
        })
      )
  )

  it.effect("a retried post of an id the relay already stored is a duplicate: stored, same seq, one spool row", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        yield* pumpOnce(f.credentials)
        // The 201 was lost: the entry is queued again under the same id.
        yield* Effect.flatMap(Store, (s) => s.remove(CloudLayout.sent(msgId(1))))
        yield* queueToAlice(1)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual((yield* sentEntry(1)).seq, 1)
        assert.strictEqual(f.relay.spooled(f.alice.accountId).length, 1)
      })
    )
  )

  it.effect("a network error leaves it queued with backoff; it is posted once due", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        f.relay.fail("send", networkDown())
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 1 })
        const [entry] = yield* queued
        assert.strictEqual(entry?.state, "queued")
        assert.strictEqual(entry?.attempts, 1)
        assert.isAtLeast(entry!.nextAttemptAt, T0 + 500)
        assert.isAtMost(entry!.nextAttemptAt, T0 + 1000)
        assert.include(entry!.lastError ?? "", "RELAY_UNREACHABLE")
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 0 }, "not due yet")
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
      })
    )
  )

  it.effect("a network error ends the pass: the other entries keep their backoff and go out once it answers", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        yield* queueToAlice(2)
        yield* queueToAlice(3)
        f.relay.fail("send", networkDown())
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 1 })
        const attempts = (yield* queued).map((e) => e.attempts).sort()
        assert.deepStrictEqual(attempts, [0, 0, 1], "only the entry that met the outage counts it")
        // The relay answers again: the two untouched entries are due at once, the third after its backoff.
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 2, refused: 0, retrying: 0 })
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
      })
    )
  )

  it.effect("RATE_LIMITED waits the relay's retry-after; RECIPIENT_QUOTA backs off and stays queued", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        f.relay.fail("send", rateLimited(7000))
        yield* pumpOnce(f.credentials)
        assert.strictEqual((yield* queued)[0]?.nextAttemptAt, T0 + 7000)
        yield* TestClock.adjust("7 seconds")
        f.relay.fail("send", quotaFull())
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 0, retrying: 1 })
        assert.strictEqual((yield* queued)[0]?.attempts, 2)
      })
    )
  )

  it.effect("permanent refusals move to sent/ as refused:<reason> and are never retried", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        f.relay.setContact(f.alice.accountId, f.bob.accountId, "revoked")
        yield* queueToAlice(2, "carol")
        yield* queueToAlice(3, "nobody")
        assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 0, refused: 3, retrying: 0 })
        assert.strictEqual((yield* sentEntry(1)).state, "refused:revoked")
        assert.strictEqual((yield* sentEntry(2)).state, "refused:revoked")
        assert.strictEqual((yield* sentEntry(3)).state, "refused:not_a_contact")
        assert.deepStrictEqual(yield* queued, [])
        assert.deepStrictEqual(
          f.relay.calls.filter((c) => c === "send"),
          ["send"]
        )
      })
    )
  )

  it.effect(
    "an encryption key the pinned identity did not sign, or a rolled-back one, is refused: nothing is sent",
    () =>
      withBob((f) =>
        Effect.gen(function* () {
          // A relay substitutes its own key (signed by carol's identity, not alice's).
          yield* publishAliceKey(f, f.carol.identity, "ek_9", 5)
          yield* queueToAlice(1)
          yield* pumpOnce(f.credentials)
          assert.strictEqual((yield* sentEntry(1)).state, "refused:key_changed")
          // A newer record seen once may not be replaced by an older one.
          yield* publishAliceKey(f, f.alice.identity, "ek_7", 2)
          yield* queueToAlice(2)
          yield* pumpOnce(f.credentials)
          assert.strictEqual((yield* sentEntry(2)).state, "stored")
          const pinned = (yield* (yield* CloudHome).contacts).find((c) => c.handle === "alice")
          assert.strictEqual(pinned?.ek?.seq, 2)
          f.relay.publishKeys(f.alice.accountId, f.alice.identity.publicKey, f.alice.ek.record)
          yield* queueToAlice(3)
          yield* pumpOnce(f.credentials)
          assert.strictEqual((yield* sentEntry(3)).state, "refused:key_changed")
          assert.strictEqual(f.relay.spooled(f.alice.accountId).length, 1)
        })
      )
  )

  it.effect("a 401 stops the pump and leaves the entry queued", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* queueToAlice(1)
        const exit = yield* Effect.exit(pumpOnce({ ...f.credentials, token: "revoked-token-xxxxxxxxxx" }))
        assert.isTrue(Exit.isFailure(exit))
        assert.strictEqual((yield* queued)[0]?.state, "queued")
      })
    )
  )
})
