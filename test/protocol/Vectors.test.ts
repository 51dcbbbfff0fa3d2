import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { MessageId } from "../../src/domain/Ulid.js"
import { layer } from "../../src/platform/NodeCloudCrypto.js"
import { utf8Length } from "../../src/protocol/Bytes.js"
import { canonicalJsonText, parseCanonicalJson } from "../../src/protocol/CanonicalJson.js"
import { encodeInviteCode, parseInviteCode } from "../../src/protocol/InviteCode.js"
import { fingerprint } from "../../src/protocol/Keys.js"
import { localId } from "../../src/protocol/LocalId.js"
import { safetyNumber, safetyNumberOfFingerprints } from "../../src/protocol/SafetyNumber.js"

// Known-answer vectors, also published in docs/cloud-protocol.md; computed independently (Python hashlib).
const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"))
const IK_A = Uint8Array.from({ length: 32 }, (_, i) => i) // 00 01 .. 1f
const IK_B = new Uint8Array(32).fill(0xff)
const utf8 = (text: string) => new TextEncoder().encode(text)

describe("known-answer vectors", () => {
  it.effect("fingerprints and safety numbers", () =>
    Effect.gen(function* () {
      const fprA = yield* fingerprint(IK_A)
      assert.strictEqual(
        Buffer.from(fprA).toString("hex"),
        "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
      )
      assert.strictEqual(yield* safetyNumber(IK_A, IK_B), "16247 66391 20789 18068")
      assert.strictEqual(yield* safetyNumber(IK_B, IK_A), "16247 66391 20789 18068")
      const zeros = new Uint8Array(32)
      const ones = new Uint8Array(32).fill(1)
      assert.strictEqual(yield* safetyNumberOfFingerprints(zeros, ones), "07168 70766 86742 30061")
      assert.strictEqual(yield* safetyNumberOfFingerprints(ones, zeros), "07168 70766 86742 30061")
      assert.strictEqual(yield* safetyNumberOfFingerprints(zeros, zeros), "04002 51006 12171 12978")
    }).pipe(Effect.provide(layer))
  )

  it.effect("the local id of a remote message", () =>
    Effect.gen(function* () {
      const fpr = hex("630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd")
      const id = "01JF0000000000000000000001" as MessageId
      assert.strictEqual(yield* localId(fpr, id, 1_764_195_000_123), "01KB13EQSVS0R5QXH4QCDHRVVD")
      assert.strictEqual((yield* localId(fpr, id, -5)).slice(0, 10), "0000000000")
      assert.strictEqual((yield* localId(fpr, id, 2 ** 60)).slice(0, 10), "7ZZZZZZZZZ")
    }).pipe(Effect.provide(layer))
  )

  it("canonical JSON: sorted keys, no whitespace, minimal escapes, integers only", () => {
    const value = { b: 1, a: [true, null, 'q"\\\n\u0001é😀'], c: { z: undefined, y: -0, "": "e" }, B: -12 }
    const text = '{"B":-12,"a":[true,null,"q\\"\\\\\\n\\u0001é😀"],"b":1,"c":{"":"e","y":0}}'
    assert.strictEqual(Option.getOrThrow(canonicalJsonText(value)), text)
    assert.deepStrictEqual(Option.getOrThrow(parseCanonicalJson(utf8(text))), { ...value, c: { "": "e", y: 0 } })
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53, { a: new Date(0) }, [1n]]) {
      assert.isTrue(Option.isNone(canonicalJsonText(bad)), String(bad))
    }
    for (const bad of ['{"b":1,"a":2}', '{"a": 1}', '{"a":1,"a":1}', '"\\u0065"', "1.0", "[1,]", '"\\/"']) {
      assert.isTrue(Option.isNone(parseCanonicalJson(utf8(bad))), bad)
    }
    assert.isTrue(Option.isNone(parseCanonicalJson(Uint8Array.from([0x22, 0xff, 0x22]))), "invalid UTF-8")
  })

  it("utf8Length counts what the encoder writes, lone surrogates as U+FFFD", () => {
    const samples = [
      "",
      "x".repeat(1024),
      "é",
      "€",
      "😀",
      "a😀b",
      "\ud800",
      "\udc00",
      "\ud800x",
      "x\udbff",
      "\udc00\ud800"
    ]
    for (let n = 0; n < 300; n++)
      samples.push(String.fromCharCode(...Array.from({ length: 8 }, (_, i) => (n * 7919 + i * 104729) % 0x10000)))
    for (const text of samples) assert.strictEqual(utf8Length(text), utf8(text).length, JSON.stringify(text))
  })

  it("invite codes: Crockford base32 in groups of five, parsed tolerantly", () => {
    const secret = Uint8Array.from({ length: 16 }, (_, i) => i)
    const code = "sb1-000G4-0R40M-30E20-9185G-R38E1-W"
    assert.strictEqual(encodeInviteCode(secret), code)
    for (const spelling of [
      code,
      code.toLowerCase(),
      "SB1 000g4 or40m 30e20 9185g r38e1 w",
      "000G40R40M30E209185GR38E1W"
    ]) {
      assert.deepStrictEqual(Option.getOrThrow(parseInviteCode(spelling)), secret, spelling)
    }
    for (const bad of [
      "sb1-000G4-0R40M-30E20-9185G-R38E1",
      "sb1-000G4-0R40M-30E20-9185G-R38E1-WW",
      "sb1-000G4-0R40M-30E20-9185G-R38E1-X",
      "sb1-000G4-0R40M-30E20-9185G-R38EU-W"
    ]) {
      assert.isTrue(Option.isNone(parseInviteCode(bad)), bad)
    }
    for (let n = 0; n < 200; n++) {
      const random = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + n * 101 + ((n * i) % 7)) & 255)
      assert.deepStrictEqual(Option.getOrThrow(parseInviteCode(encodeInviteCode(random))), random)
    }
  })
})
