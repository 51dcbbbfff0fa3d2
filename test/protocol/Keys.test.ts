import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { layer, layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import { CloudCrypto } from "../../src/protocol/CloudCrypto.js"
import {
  acceptEncryptionKey,
  generateEncryptionKey,
  requireCurrent,
  verifyEncryptionKey
} from "../../src/protocol/Keys.js"
import {
  makeRegistrationProof,
  makeRotation,
  verifyRegistrationProof,
  verifyRotation
} from "../../src/protocol/Statements.js"
import { DAY, T0, world } from "./support.js"

const provide = Effect.provide(layerSeeded("keys"))

describe("keys and signed statements", () => {
  it.effect("an encryption-key record verifies with its identity key only, and any altered field is refused", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const record = alice.ek.record
      yield* verifyEncryptionKey(alice.identity.publicKey, record)
      const refused = (r: typeof record, ik = alice.identity.publicKey) =>
        Effect.map(Effect.flip(verifyEncryptionKey(ik, r)), (e) => e._tag)
      assert.strictEqual(yield* refused(record, bob.identity.publicKey), "KeyRecordInvalid")
      assert.strictEqual(yield* refused({ ...record, seq: 2 }), "KeyRecordInvalid")
      assert.strictEqual(yield* refused({ ...record, notAfter: record.notAfter + 1 }), "KeyRecordInvalid")
      assert.strictEqual(yield* refused({ ...record, pub: bob.ek.record.pub }), "KeyRecordInvalid")
    }).pipe(provide)
  )

  it.effect("a rolled-back record (lower seq) or a second key under the same seq is refused", () =>
    Effect.gen(function* () {
      const { alice } = yield* world
      const window = { notBefore: T0, notAfter: T0 + 30 * DAY }
      const v5 = yield* generateEncryptionKey(alice.identity, { keyId: "ek_5", seq: 5, ...window })
      const v6 = yield* generateEncryptionKey(alice.identity, { keyId: "ek_6", seq: 6, ...window })
      const other5 = yield* generateEncryptionKey(alice.identity, { keyId: "ek_5b", seq: 5, ...window })
      const ik = alice.identity.publicKey
      yield* acceptEncryptionKey(ik, v6.record, Option.some(v5.record))
      yield* acceptEncryptionKey(ik, v6.record, Option.some(v6.record))
      const rollback = yield* Effect.flip(acceptEncryptionKey(ik, v5.record, Option.some(v6.record)))
      assert.strictEqual(rollback._tag, "KeyRolledBack")
      assert.strictEqual(rollback.code, "KEY_ROLLBACK")
      const fork = yield* Effect.flip(acceptEncryptionKey(ik, other5.record, Option.some(v5.record)))
      assert.strictEqual(fork._tag, "KeyRolledBack")
      // Senders seal only to a record inside its window.
      yield* TestClock.setTime(T0 + 30 * DAY)
      assert.strictEqual((yield* Effect.flip(requireCurrent(v6.record)))._tag, "KeyRecordInvalid")
    }).pipe(provide)
  )

  it.effect("a registration proof binds the relay, the handle and a ±5 min timestamp", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const proof = yield* makeRegistrationProof(alice.identity, "relay-1", alice.handle)
      yield* verifyRegistrationProof(proof, "relay-1")
      const tag = (p: typeof proof, relay = "relay-1") =>
        Effect.map(Effect.flip(verifyRegistrationProof(p, relay)), (e) => e._tag)
      assert.strictEqual(yield* tag(proof, "relay-2"), "RegistrationProofInvalid")
      assert.strictEqual(yield* tag({ ...proof, handle: bob.handle }), "RegistrationProofInvalid")
      assert.strictEqual(yield* tag({ ...proof, ikPub: bob.identity.publicKey }), "RegistrationProofInvalid")
      assert.strictEqual(yield* tag({ ...proof, ts: proof.ts + 1 }), "RegistrationProofInvalid")
      yield* TestClock.adjust("5 minutes")
      yield* verifyRegistrationProof(proof, "relay-1")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* tag(proof), "RegistrationProofStale")
    }).pipe(provide)
  )

  it.effect("an identity rotation needs both the pinned and the new key's signature", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      const rotation = yield* makeRotation(alice.identity, carol.identity)
      const accepted = yield* verifyRotation(alice.identity.publicKey, rotation)
      assert.deepStrictEqual(accepted.newIk, carol.identity.publicKey)
      const tag = (pinned: Uint8Array, r: typeof rotation) =>
        Effect.map(Effect.flip(verifyRotation(pinned, r)), (e) => e._tag)
      assert.strictEqual(yield* tag(bob.identity.publicKey, rotation), "RotationInvalid")
      assert.strictEqual(
        yield* tag(alice.identity.publicKey, { ...rotation, newIk: bob.identity.publicKey }),
        "RotationInvalid"
      )
      assert.strictEqual(
        yield* tag(alice.identity.publicKey, { ...rotation, sigNew: rotation.sigOld }),
        "RotationInvalid"
      )
      assert.strictEqual(yield* tag(alice.identity.publicKey, { ...rotation, ts: rotation.ts + 1 }), "RotationInvalid")
    }).pipe(provide)
  )
})

describe("CloudCrypto layers", () => {
  it.effect("the seeded layer repeats itself; the live one does not", () =>
    Effect.gen(function* () {
      const draw = Effect.gen(function* () {
        const crypto = yield* CloudCrypto
        return [yield* crypto.randomBytes(40), (yield* crypto.ed25519Generate).publicKey]
      })
      const a = yield* Effect.provide(draw, layerSeeded("s"))
      assert.deepStrictEqual(yield* Effect.provide(draw, layerSeeded("s")), a)
      assert.notDeepEqual(yield* Effect.provide(draw, layerSeeded("t")), a)
      const live = yield* Effect.provide(draw, layer)
      assert.notDeepEqual(yield* Effect.provide(draw, layer), live)
    })
  )

  it.effect("PKCS8 private keys give back their public keys; malformed keys fail with CRYPTO_KEY_INVALID", () =>
    Effect.gen(function* () {
      const crypto = yield* CloudCrypto
      const ed = yield* crypto.ed25519Generate
      const x = yield* crypto.x25519Generate
      assert.deepStrictEqual(yield* crypto.ed25519Public(ed.privateKey), ed.publicKey)
      assert.deepStrictEqual(yield* crypto.x25519Public(x.privateKey), x.publicKey)
      assert.strictEqual((yield* Effect.flip(crypto.ed25519Public(x.privateKey))).code, "CRYPTO_KEY_INVALID")
      assert.strictEqual(
        (yield* Effect.flip(crypto.x25519(x.privateKey, new Uint8Array(31)))).code,
        "CRYPTO_KEY_INVALID"
      )
      // The all-zero point gives the all-zero secret, which OpenSSL refuses.
      assert.strictEqual(
        (yield* Effect.flip(crypto.x25519(x.privateKey, new Uint8Array(32)))).code,
        "CRYPTO_KEY_INVALID"
      )
      assert.isFalse(yield* crypto.ed25519Verify(new Uint8Array(32), new Uint8Array(1), new Uint8Array(64)))
      const message = new Uint8Array([1, 2, 3])
      const sig = yield* crypto.ed25519Sign(ed.privateKey, message)
      assert.isTrue(yield* crypto.ed25519Verify(ed.publicKey, message, sig))
      assert.isFalse(yield* crypto.ed25519Verify(ed.publicKey, new Uint8Array([1, 2, 4]), sig))
    }).pipe(Effect.provide(layer))
  )
})
