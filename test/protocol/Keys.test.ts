import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { hkdfSync } from "node:crypto"
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

  it.effect("known answers: RFC 8032 (Ed25519) and RFC 7748 (X25519), from raw private keys", () =>
    Effect.gen(function* () {
      const crypto = yield* CloudCrypto
      const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"))
      const pkcs8 = (oid: number, seed: string) =>
        Uint8Array.from([
          0x30,
          0x2e,
          0x02,
          0x01,
          0x00,
          0x30,
          0x05,
          0x06,
          0x03,
          0x2b,
          0x65,
          oid,
          0x04,
          0x22,
          0x04,
          0x20,
          ...hex(seed)
        ])
      const edSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
      const ed = pkcs8(0x70, edSeed)
      assert.deepStrictEqual(
        yield* crypto.ed25519Public(ed),
        hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
      )
      assert.deepStrictEqual(
        yield* crypto.ed25519Sign(ed, new Uint8Array(0)),
        hex(
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
      )
      const alice = pkcs8(0x6e, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
      const bobPublic = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
      assert.deepStrictEqual(
        yield* crypto.x25519Public(alice),
        hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
      )
      const shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
      assert.deepStrictEqual(yield* crypto.x25519(alice, bobPublic), shared)
      // A key of the other curve (read by the PKCS8 decoder, its prefix not this curve's) is refused.
      assert.strictEqual((yield* Effect.flip(crypto.x25519(ed, bobPublic))).code, "CRYPTO_KEY_INVALID")
      assert.strictEqual((yield* Effect.flip(crypto.ed25519Sign(alice, new Uint8Array(1)))).code, "CRYPTO_KEY_INVALID")
    }).pipe(Effect.provide(layer))
  )

  it.effect("HKDF-SHA256: RFC 5869 test case 3, and the same bytes as node's hkdfSync for every length", () =>
    Effect.gen(function* () {
      const crypto = yield* CloudCrypto
      const ikm = new Uint8Array(22).fill(0x0b)
      const okm = yield* crypto.hkdfSha256(ikm, new Uint8Array(0), "", 42)
      assert.strictEqual(
        Buffer.from(okm).toString("hex"),
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
      )
      const salt = Uint8Array.from({ length: 64 }, (_, i) => i)
      for (const length of [0, 1, 16, 32, 33, 64, 100, 255 * 32]) {
        for (const info of ["sb1 msg", "", "é😀"]) {
          assert.deepStrictEqual(
            yield* crypto.hkdfSha256(ikm, salt, info, length),
            new Uint8Array(hkdfSync("sha256", ikm, salt, info, length)),
            `${length} bytes, info ${info}`
          )
        }
      }
      assert.isTrue((yield* Effect.exit(crypto.hkdfSha256(ikm, salt, "", 255 * 32 + 1)))._tag === "Failure")
    }).pipe(Effect.provide(layer))
  )
})
