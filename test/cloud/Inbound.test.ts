import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, TestClock } from "effect"
import { Envelopes } from "../../src/bridge/Envelopes.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { pollOnce, processBatch } from "../../src/cloud/Inbound.js"
import { deliverUnrouted } from "../../src/cloud/Unrouted.js"
import { Layout } from "../../src/domain/Layout.js"
import { MessageEnvelope } from "../../src/domain/Records.js"
import { ciphertextBytes, encryptArtifact } from "../../src/protocol/ArtifactCipher.js"
import { utf8 } from "../../src/protocol/Bytes.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"
import { Schema } from "effect"
import { networkDown } from "../support/FakeRelay.js"
import {
  cloudLayer,
  crashingStore,
  type Fixture,
  freshStore,
  makeFakeRelay,
  sendToBob,
  setupBob,
  T0
} from "./support.js"

const decodeEnvelope = Schema.decodeUnknownSync(Schema.parseJson(MessageEnvelope))

/** Runs `body` on bob's home over `store` (a fresh memory one by default) with a fresh fake relay. */
const withBob = <A, E>(body: (f: Fixture) => Effect.Effect<A, E, any>, store?: StoreShape) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const base = store ?? (yield* freshStore)
    const relay = makeFakeRelay()
    return yield* Effect.flatMap(setupBob(relay), body).pipe(Effect.provide(cloudLayer(base, relay)))
  })

const registerSession = (label: string) =>
  Effect.flatMap(Sessions, (s) => s.register({ label, cwd: `/work/${label}`, provider: "codex" }))

/** Every message file in a session's inbox, decoded. */
const inbox = (sessionId: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    const names = yield* store.list(Layout.inboxDir(sessionId))
    return yield* Effect.forEach(names, (n) =>
      Effect.map(store.readText(`${Layout.inboxDir(sessionId)}/${n}`), (t) => decodeEnvelope(Option.getOrThrow(t)))
    )
  })

const listed = (dir: string) => Effect.flatMap(Store, (s) => s.list(dir))

describe("inbound exactly-once", () => {
  it.effect("delivers to the labelled live session as a remote message, persists the cursor, then acks", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        yield* registerSession("other")
        yield* sendToBob(f, f.alice, 1, { to: { label: "backend" }, subject: "hello", body: "from alice" })
        const result = yield* pollOnce(f.credentials, 0)
        assert.strictEqual(result.delivered, 1)
        const messages = yield* inbox(backend.sessionId)
        assert.strictEqual(messages.length, 1)
        const m = messages[0]!
        assert.strictEqual(m.origin, "remote")
        assert.strictEqual(m.from.contact, "alice")
        assert.strictEqual(m.remoteFrom, "alice")
        assert.strictEqual(m.from.label, "api")
        assert.strictEqual(m.subject, "hello")
        assert.strictEqual(m.to[0]?.sessionId, backend.sessionId)
        assert.strictEqual(yield* (yield* CloudHome).cursor, 1)
        assert.strictEqual(f.relay.ackedSeq(f.bob.accountId), 1)
        assert.deepStrictEqual(f.relay.spooled(f.bob.accountId), [])
      })
    )
  )

  it.effect("a replayed envelope (same sender and id, new seq) is deduplicated", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const { envelope } = yield* sendToBob(f, f.alice, 1)
        yield* pollOnce(f.credentials, 0)
        const replay = yield* processBatch(f.credentials, [{ ...envelope, seq: 2, from: f.alice.accountId }])
        assert.strictEqual(replay.duplicates, 1)
        assert.strictEqual(replay.delivered, 0)
        assert.strictEqual(replay.cursor, 2)
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 1)
      })
    )
  )

  it.effect("a revoked or unknown sender is dropped and the cursor still advances", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const { envelope } = yield* sendToBob(f, f.carol, 1, { fromHandle: "carol" as never })
        // The relay keeps serving the revoked contact's mail, and relabels one of alice's as from a stranger.
        const fromStranger = { ...envelope, id: envelope.id, seq: 2, from: "acct_99" as never }
        const result = yield* processBatch(f.credentials, [
          { ...envelope, seq: 1, from: f.carol.accountId },
          fromStranger
        ])
        assert.strictEqual(result.dropped, 2)
        assert.strictEqual(result.cursor, 2)
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 0)
        assert.deepStrictEqual(yield* listed(CloudLayout.unroutedDir), [])
      })
    )
  )

  it.effect("mail from a contact still pending here asks the relay: accepted since, it is delivered", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const home = yield* CloudHome
        const pins = yield* home.contacts
        yield* home.writeContacts(pins.map((c) => (c.handle === "alice" ? { ...c, state: "pending" as const } : c)))
        yield* sendToBob(f, f.alice, 1, { to: { label: "backend" }, subject: "right after accept" })
        const result = yield* pollOnce(f.credentials, 0)
        assert.strictEqual(result.delivered, 1)
        assert.strictEqual(result.dropped, 0)
        assert.deepStrictEqual(
          (yield* inbox(backend.sessionId)).map((m) => m.subject),
          ["right after accept"]
        )
        assert.strictEqual((yield* home.contacts).find((c) => c.handle === "alice")?.state, "active")
      })
    )
  )

  it.effect("mail from a pending contact the relay does not list as active is still dropped", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const home = yield* CloudHome
        const pins = yield* home.contacts
        yield* home.writeContacts(pins.map((c) => (c.handle === "alice" ? { ...c, state: "pending" as const } : c)))
        f.relay.setContact(f.alice.accountId, f.bob.accountId, "pending")
        const { envelope } = yield* sendToBob(f, f.carol, 1, { fromHandle: "carol" as never })
        const result = yield* processBatch(f.credentials, [{ ...envelope, seq: 1, from: f.alice.accountId }])
        assert.strictEqual(result.dropped, 1)
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 0)
        assert.strictEqual((yield* home.contacts).find((c) => c.handle === "alice")?.state, "pending")
      })
    )
  )

  it.effect("a tampered envelope is quarantined with its reason, and the next one is still delivered", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const first = yield* sendToBob(f, f.alice, 1)
        const second = yield* sendToBob(f, f.alice, 2)
        const ct = Uint8Array.from(first.envelope.ct)
        ct[40] = ct[40]! ^ 1
        const result = yield* processBatch(f.credentials, [
          { ...first.envelope, ct, seq: 1, from: f.alice.accountId },
          { ...second.envelope, seq: 2, from: f.alice.accountId }
        ])
        assert.strictEqual(result.quarantined, 1)
        assert.strictEqual(result.delivered, 1)
        assert.strictEqual(result.cursor, 2)
        const held = yield* listed(CloudLayout.quarantineDir)
        assert.strictEqual(held.length, 1)
        const record = yield* Effect.flatMap(Store, (s) => s.readText(`${CloudLayout.quarantineDir}/${held[0]}`))
        assert.include(Option.getOrThrow(record), '"reason": "aead"')
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 1)
      })
    )
  )

  it.effect("with no matching live session the message is held, then delivered when the session appears", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* sendToBob(f, f.alice, 1, { to: { label: "later" } })
        const result = yield* pollOnce(f.credentials, 0)
        assert.strictEqual(result.unrouted, 1)
        assert.strictEqual(f.relay.ackedSeq(f.bob.accountId), 1)
        assert.strictEqual((yield* listed(CloudLayout.unroutedDir)).length, 1)
        assert.deepStrictEqual(yield* deliverUnrouted, { delivered: 0, expired: 0, dropped: 0, held: 1 })
        const later = yield* registerSession("later")
        assert.deepStrictEqual(yield* deliverUnrouted, { delivered: 1, expired: 0, dropped: 0, held: 0 })
        const messages = yield* inbox(later.sessionId)
        assert.strictEqual(messages.length, 1)
        assert.strictEqual(messages[0]?.to[0]?.label, "later")
        assert.deepStrictEqual(yield* listed(CloudLayout.unroutedDir), [])
      })
    )
  )

  it.effect("held messages from a contact revoked since are dropped, expired ones too", () =>
    withBob((f) =>
      Effect.gen(function* () {
        yield* sendToBob(f, f.alice, 1, { to: { label: "later" } })
        yield* pollOnce(f.credentials, 0)
        yield* TestClock.adjust("8 days")
        yield* registerSession("later")
        assert.deepStrictEqual(yield* deliverUnrouted, { delivered: 0, expired: 1, dropped: 0, held: 0 })
        yield* TestClock.setTime(T0)
        yield* sendToBob(f, f.alice, 2, { to: { label: "nobody" } })
        yield* pollOnce(f.credentials, 0)
        const home = yield* CloudHome
        yield* home.writeContacts((yield* home.contacts).map((c) => ({ ...c, state: "revoked" as const })))
        assert.deepStrictEqual(yield* deliverUnrouted, { delivered: 0, expired: 0, dropped: 1, held: 0 })
      })
    )
  )

  it.effect("artifacts are fetched, decrypted and stored by plaintext hash before the message is written", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const bytes = utf8("artifact body ".repeat(100))
        const encrypted = yield* encryptArtifact(bytes)
        f.relay.putBlob(encrypted.blob, [f.bob.accountId], ciphertextBytes(encrypted.ciphertext))
        const ref = {
          sha256: encrypted.sha256,
          size: encrypted.size,
          name: "notes.txt",
          blob: encrypted.blob,
          key: encrypted.key
        }
        yield* sendToBob(f, f.alice, 1, { artifacts: [ref] })
        f.relay.fail("getBlob", networkDown())
        const failed = yield* Effect.exit(pollOnce(f.credentials, 0))
        assert.isTrue(Exit.isFailure(failed))
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 0)
        assert.strictEqual(yield* (yield* CloudHome).cursor, 0)
        assert.strictEqual(f.relay.ackedSeq(f.bob.accountId), 0)
        const result = yield* pollOnce(f.credentials, 0)
        assert.strictEqual(result.delivered, 1)
        const stored = yield* Effect.flatMap(Store, (s) => s.read(Layout.artifactBytes(encrypted.sha256)))
        assert.deepStrictEqual(Option.getOrThrow(stored), bytes)
        assert.deepStrictEqual([...((yield* inbox(backend.sessionId))[0]?.artifacts ?? [])], [
          encrypted.sha256
        ] as Array<string>)
      })
    )
  )

  it.effect("an artifact that does not decrypt to its signed hash quarantines the envelope instead of wedging", () =>
    withBob((f) =>
      Effect.gen(function* () {
        const backend = yield* registerSession("backend")
        const encrypted = yield* encryptArtifact(utf8("real"))
        const other = yield* encryptArtifact(utf8("swapped"))
        f.relay.putBlob(encrypted.blob, [f.bob.accountId], ciphertextBytes(other.ciphertext))
        const ref = { sha256: encrypted.sha256, size: encrypted.size, blob: encrypted.blob, key: encrypted.key }
        yield* sendToBob(f, f.alice, 1, { artifacts: [ref] })
        const result = yield* pollOnce(f.credentials, 0)
        assert.strictEqual(result.quarantined, 1)
        assert.strictEqual(result.cursor, 1)
        assert.strictEqual((yield* inbox(backend.sessionId)).length, 0)
      })
    )
  )
})

describe("inbound crash points", () => {
  const oneMessage = (label: string) => (f: Fixture) =>
    Effect.gen(function* () {
      const session = yield* registerSession("backend")
      yield* sendToBob(f, f.alice, 1, { to: { label } })
      return session.sessionId
    })

  const copies = (sessionId: string) =>
    Effect.map(
      Effect.all([listed(Layout.inboxDir(sessionId)), listed(CloudLayout.unroutedDir)]),
      ([a, b]) => a.length + b.length
    )

  for (const label of ["backend", "nobody"]) {
    it.effect(`a crash at every write of one delivery (${label}) never loses or duplicates the message`, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(T0)
        // A clean run counts the writes one delivery makes.
        const probe = crashingStore(yield* freshStore)
        yield* withBob(
          (f) =>
            Effect.flatMap(oneMessage(label)(f), () => Effect.sync(() => probe.arm(Infinity))).pipe(
              Effect.zipRight(pollOnce(f.credentials, 0))
            ),
          probe.store
        )
        const total = probe.writes()
        assert.isAtLeast(total, 4)
        for (let n = 1; n <= total; n++) {
          const crashing = crashingStore(yield* freshStore)
          yield* withBob(
            (f) =>
              Effect.gen(function* () {
                const sessionId = yield* oneMessage(label)(f)
                crashing.arm(n)
                const crashed = yield* Effect.exit(pollOnce(f.credentials, 0))
                assert.isTrue(Exit.isFailure(crashed), `write ${n} should crash`)
                crashing.disarm()
                yield* pollOnce(f.credentials, 0)
                // The relay may serve it again (not acked yet): once more, as a replay.
                yield* pollOnce(f.credentials, 0)
                assert.strictEqual(yield* copies(sessionId), 1, `exactly one copy after a crash at write ${n}`)
                assert.strictEqual(yield* (yield* CloudHome).cursor, 1)
                assert.strictEqual(f.relay.ackedSeq(f.bob.accountId), 1)
                for (const m of yield* inbox(sessionId))
                  assert.isTrue(Option.isSome(yield* (yield* Envelopes).ref(m.id)), `readable by id after write ${n}`)
              }),
            crashing.store
          )
        }
      })
    )
  }
})
