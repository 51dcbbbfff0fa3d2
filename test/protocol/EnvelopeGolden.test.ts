import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  sign,
  verify
} from "node:crypto"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import { decodeEnvelope, encodeEnvelope, open, type Receiver, seal } from "../../src/protocol/Envelope.js"
import type { EncryptionKey } from "../../src/protocol/Keys.js"
import type { InnerDraft } from "../../src/protocol/WireSchemas.js"
import { draft, ID, T0, world } from "./support.js"

// Sealed envelopes pinned byte for byte under the seeded layer (its keys, ephemeral keys included, come from the
// seed; Ed25519 signatures are deterministic): any change to the wire format, the header, the padding, the
// canonical JSON or the key derivation changes these bytes.
const provide = Effect.provide(layerSeeded("golden"))
const exp = Math.floor(T0 / 1000) + 7 * 86_400
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex")

const GOLDEN_CT = [
  "p9Xbi2fw-DWtTE_xB4UaMWGb82l43glqECl1GynXCkOyf2BxLNIkIzbDmQh-vtwGljORtXoX8TIhsm1fJJ19YJbZ5hDvx0870VLT",
  "36uQhrykzkAOBKUXef8OFTzJsboY8bprnD4dayOoiiJMr5IYO5domu_jKDqnFvzdfT3PR2kO4owUuGd-7KwlNDMK4Z-uT0qLr3Up",
  "LUfJrJd2qjqPbLAYQHu9YDQsYr9hKR4QSdfBLhRZMBkRvTAKQoGG_yMC0FeH3wpZzD4Le501xht8CA_Z8QxvP3YuZoeSB6E0cs3q",
  "XbV_K6yQnKWGLGlmzK29cXAEO5nwHTmQcll0pdl4nhW8I8bjLS4fxJ0q6FkY_G3LNiBDzyp0OSiUeqytGiexx9la_jAC6qxSIwAr",
  "yUlwbCDE5d_W4UyhSsnzO6-9O_cBdwQd_8ItKVPieMksz549YOQI32ioeQoCyqRIjT47EQhzNvbTJkfEMRFoFZssxSBpyJ5zvva4",
  "K_sfME9B0EvclV_qpcz3IISVUCoRkuZZGvp-qrRBjTGsFqbcvwcCgKkmKqW4DPEbRroXWlRdlOfAOnBO7zIWT0gkAYVSNiIbmHLC",
  "09ycWVcvyshtEa9yyAlgfcwxdiD5kf6NoVbBOByzfO7jf2sOlK2ny6VYJ_5EE9_dayO9zWBncJpg9yzB36PpKhUkxgjqh-JkVXd8",
  "qS1jt9oK7mdo_XNUosXY6Pa80-HkzjLijyjUBkMZ4fA-zp6-BiK2vdZsmAL0jsyXGknHtB4Mqb9fAENoIGzBvvWTCV1452wW7e0H",
  "BwgVvVinTUmnFNOt-xjdWgm9ymjg-NUZcwaB5DvaYIUmh2GQh6v0d9O1L7_etNdtpTnBM_N_CwtLSQYMIXWdOOvkljFqO3DnPPkD",
  "S4YMtANkI34Bdf6Cj9TFihvzCMK3bQ78PQ7_OM1cQH1abLvF_C4f0Mr7d0aWe9FBjq_pm1_veDFkyjj7xQRA_EL0dJHKw3Busr6_",
  "df7kD2MW7Dl74C6Hj-UDIvRUgMSenORHNcxK7GcpMkT6fOoqvVyUtRRzKsXo-RwwtHd1exA6a5Ky8MzptRRUIOZRUtJuTTSCWz3m",
  "NAWn6UeY_p2UgV2Z_0xEinL52X7Vg8r8Q9iCCVmqKCi4jJcakQnosq3Iik01fxNALgz8lbOE3F26vREDRK2zkJuocBelRPZYnk7R",
  "bUuSN7UACwVSCCzRMtkvb5CiOLWyRR9pnhvxgZxREULQ_wGElpDaONeRhfdc4JwDj4yJRxv7C8o_S5DzaKi3YGrW4lC1Jy2CFgAG",
  "TU9dX14cCeeY5Sg3NqF8TOvyKABMd4gOhgPjfmbrPzntgvQU07oiIJiS20Q8O0KwjQ"
].join("")

const H = `sb1|${ID}|acct_alice|acct_bob|${exp}|ek_2`
const GOLDEN_WIRE = `{"v":1,"id":"${ID}","to":"acct_bob","exp":${exp},"rk":"ek_2","ct":"${GOLDEN_CT}"}`

const artifact = {
  sha256: "a".repeat(64),
  size: 2048,
  name: "build.log",
  mime: "text/plain",
  blob: "b".repeat(64),
  key: Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
}

const cases: ReadonlyArray<{ readonly inner: InnerDraft; readonly sha: string; readonly ctLength: number }> = [
  { inner: draft(), sha: "a5a640decef5d92bf7eb37546246887c863d1376e5e33ebcdf9401963e6a3aa4", ctLength: 1024 },
  {
    inner: draft({
      fromSession: { label: "wörk" },
      to: { session: "01JF0000000000000000000009" },
      subject: 'quotes " and \\ and \u0001, émoji 😀',
      body: "line\n".repeat(400),
      threadId: "01JF0000000000000000000003",
      replyTo: "01JF0000000000000000000004",
      artifacts: [artifact, { sha256: artifact.sha256, size: 0, blob: artifact.blob, key: artifact.key }]
    }),
    sha: "f9abf13893fecf6a78f27122d0fbfc07f2f0e9abcc3052ea422412d29a89b6d4",
    ctLength: 4096
  },
  {
    inner: draft({ kind: "receipt", to: { any: true }, subject: undefined, body: undefined, fromSession: undefined }),
    sha: "f43dfb2397ac4b1ac39877fe823c55e8bbd262fc05ac028a12ecee2c91deb76c",
    ctLength: 1024
  }
]

const LEDGER_KEY = "f8d08456f021db08e4e692663a61caeb7947fae5985af23bdecd98b2904ac29d:01JF0000000000000000000001"
const LOCAL_ID = "01KB13EQSVZETYMNGER4FRJ801"

describe("sealed envelope, golden bytes", () => {
  it.effect("seal writes exactly the pinned wire JSON, and it opens to the pinned ledger key and local id", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      for (const [n, { inner, sha, ctLength }] of cases.entries()) {
        const env = yield* seal({ id: ID, exp, from: alice.sender, to: bob.contact, inner })
        const wire = JSON.stringify(encodeEnvelope(env))
        if (n === 0) assert.strictEqual(wire, GOLDEN_WIRE)
        assert.strictEqual(sha256(wire), sha, `case ${n}`)
        assert.strictEqual(env.ct.length, ctLength, `case ${n}`)
        const opened = yield* open(yield* decodeEnvelope(JSON.parse(wire)), alice.contact, bob.receiver)
        assert.strictEqual(opened.ledgerKey, LEDGER_KEY)
        assert.strictEqual(opened.localId, LOCAL_ID)
        const { pad, ...rest } = opened.inner
        assert.deepStrictEqual(rest, Object.fromEntries(Object.entries(inner).filter(([, v]) => v !== undefined)))
        assert.match(pad, /^0+$/)
      }
    }).pipe(provide)
  )

  it.effect("the pinned envelope is what docs/cloud-protocol.md describes, checked with node:crypto alone", () =>
    Effect.gen(function* () {
      const { alice, bob } = yield* world
      const { plain } = unseal(bob.ek)
      const json = plain.subarray(64)
      const text = (pad: string) =>
        `{"body":"ping","fromHandle":"alice","fromSession":{"cli":"codex","label":"api"},"kind":"message",` +
        `"pad":"${pad}","subject":"build is green","to":{"label":"backend"},"ts":${T0}}`
      assert.strictEqual(json.toString("utf8"), text("0".repeat(1024 - 112 - text("").length)))
      const ik = createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(alice.identity.publicKey).toString("base64url") },
        format: "jwk"
      })
      assert.isTrue(verify(null, signedBytes(bob.identity.publicKey, json), ik, plain.subarray(0, 64)))
    }).pipe(provide)
  )

  it.effect("a truncated, re-keyed, forged or non-canonical copy of it is refused with its tagged error", () =>
    Effect.gen(function* () {
      const { alice, bob, carol } = yield* world
      const golden = yield* decodeEnvelope(JSON.parse(GOLDEN_WIRE))
      const refused = (ct: Uint8Array, receiver: Receiver = bob.receiver) =>
        Effect.map(Effect.flip(open({ ...golden, ct }, alice.contact, receiver)), (error) => error._tag)
      yield* open(golden, alice.contact, bob.receiver)
      for (const length of [0, 31, 111, 112, 1023])
        assert.strictEqual(yield* refused(golden.ct.subarray(0, length)), "EnvelopeTampered", `${length} bytes`)
      const lowOrder = Uint8Array.from(golden.ct)
      lowOrder.fill(0, 0, 32)
      assert.strictEqual(yield* refused(lowOrder), "EnvelopeTampered")
      assert.strictEqual(yield* refused(new Uint8Array(512 * 1024 + 1)), "PayloadTooLarge")
      const wrongKey = { ...bob.receiver, keys: () => Option.some({ ...carol.ek, record: bob.ek.record }) }
      assert.strictEqual(yield* refused(golden.ct, wrongKey), "EnvelopeTampered")
      const { plain, reseal } = unseal(bob.ek)
      const forged = Buffer.from(plain)
      forged[5] = forged[5]! ^ 1
      assert.strictEqual(yield* refused(reseal(forged)), "SignatureInvalid")
      const json = Buffer.from(plain.subarray(64).toString("utf8").replace('"body":"ping"', '"body": "ping" '))
      const ik = createPrivateKey({ key: Buffer.from(alice.identity.privateKey), format: "der", type: "pkcs8" })
      const sig = sign(null, signedBytes(bob.identity.publicKey, json), ik)
      assert.strictEqual(yield* refused(reseal(Buffer.concat([sig, json]))), "EnvelopeMalformed")
    }).pipe(provide)
  )
})

/** The AEAD key of the pinned envelope, derived by hand, its plaintext, and a re-sealer under the same key. */
const unseal = (ek: EncryptionKey) => {
  const ct = Buffer.from(GOLDEN_CT, "base64url")
  const ephPub = ct.subarray(0, 32)
  const ekPriv = createPrivateKey({ key: Buffer.from(ek.privateKey), format: "der", type: "pkcs8" })
  const ephKey = createPublicKey({ key: { kty: "OKP", crv: "X25519", x: ephPub.toString("base64url") }, format: "jwk" })
  const shared = diffieHellman({ privateKey: ekPriv, publicKey: ephKey })
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephPub, ek.record.pub]), "sb1 msg", 32))
  const decipher = createDecipheriv("chacha20-poly1305", key, new Uint8Array(12), { authTagLength: 16 })
  decipher.setAAD(Buffer.from(H), { plaintextLength: ct.length - 48 })
  decipher.setAuthTag(ct.subarray(ct.length - 16))
  const plain = Buffer.concat([decipher.update(ct.subarray(32, ct.length - 16)), decipher.final()])
  const reseal = (plaintext: Uint8Array): Uint8Array => {
    const cipher = createCipheriv("chacha20-poly1305", key, new Uint8Array(12), { authTagLength: 16 })
    cipher.setAAD(Buffer.from(H), { plaintextLength: plaintext.length })
    return Buffer.concat([ephPub, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  }
  return { plain, reseal }
}

/** tuple("sb1-sig", H, fpr(recipient IK), innerJSON), written out. */
const signedBytes = (recipientIk: Uint8Array, json: Uint8Array) => {
  const part = (bytes: Uint8Array) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    return [length, bytes]
  }
  const fpr = createHash("sha256").update(recipientIk).digest()
  return Buffer.concat([...part(Buffer.from("sb1-sig")), ...part(Buffer.from(H)), ...part(fpr), ...part(json)])
}
