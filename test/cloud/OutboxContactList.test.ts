import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { pumpOnce } from "../../src/cloud/Outbox.js"
import { CONTACTS_REUSE_MS, makeRelayContactsCache } from "../../src/cloud/RelayContactsCache.js"
import { open } from "../../src/protocol/Envelope.js"
import { publishAliceKey, queueToAlice, sentEntry, withBob } from "./outboxSupport.js"
import { type Fixture } from "./support.js"

/*
 * The pump seals to the contact list the daemon read moments ago (docs/adr/0040-daemon-send-path-without-waits.md)
 * instead of asking the relay for it before every send, and reads it again whenever the reused list gives the
 * contact no key its pin accepts.
 */

const stateOf = (n: number) => Effect.map(sentEntry(n), (e) => e.state)

const listReads = (f: Fixture) => f.relay.calls.filter((c) => c === "contacts").length

describe("the pump's contact list", () => {
  it.effect("sends within the reuse window are sealed without asking the relay again; after it, the list is read", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const cache = yield* makeRelayContactsCache()
        yield* queueToAlice(1)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, cache), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual(listReads(f), 1)
        yield* TestClock.adjust(CONTACTS_REUSE_MS - 1)
        yield* queueToAlice(2)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, cache), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual(listReads(f), 1, "the list read moments ago is reused")
        // The message sealed from the reused list opens for alice.
        const spooled = f.relay.spooled(f.alice.accountId)
        const { seq: _s, from: _f, ...wire } = spooled[1]!
        assert.strictEqual((yield* open(wire, { ...f.bob.contact }, f.alice.receiver)).inner.subject, "subject 2")
        yield* TestClock.adjust(1)
        yield* queueToAlice(3)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, cache), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual(listReads(f), 2, "a list as old as the window is read again")
        // Without the daemon's list every pass asks (what a one-shot caller gets).
        yield* queueToAlice(4)
        yield* pumpOnce(f.credentials)
        assert.strictEqual(listReads(f), 3)
      })
    )
  )

  it.effect("a reused list without the contact's key is read again at once instead of waiting for a retry", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const cache = yield* makeRelayContactsCache()
        // The presence fiber read the list before alice's key was there.
        yield* cache.put([])
        yield* queueToAlice(1)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, cache), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual(listReads(f), 1)
        assert.strictEqual(yield* stateOf(1), "stored")
      })
    )
  )

  it.effect("a reused list older than the key pinned since is read again, not taken for a changed key", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const cache = yield* makeRelayContactsCache()
        yield* queueToAlice(1)
        yield* pumpOnce(f.credentials, cache)
        // alice rotates her encryption key; bob's pin moves to it through a pass without the daemon's list.
        yield* publishAliceKey(f, f.alice.identity, "ek_7", 2)
        yield* queueToAlice(2)
        yield* pumpOnce(f.credentials)
        assert.strictEqual(yield* stateOf(2), "stored")
        // The daemon's list, read before the rotation, names the older key: below the pin, so it is read again.
        const reads = listReads(f)
        yield* queueToAlice(3)
        assert.deepStrictEqual(yield* pumpOnce(f.credentials, cache), { stored: 1, refused: 0, retrying: 0 })
        assert.strictEqual(yield* stateOf(3), "stored")
        assert.strictEqual(listReads(f), reads + 1)
      })
    )
  )
})
