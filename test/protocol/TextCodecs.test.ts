import { assert, describe, it } from "@effect/vitest"
import { Either, Encoding, Schema } from "effect"
import { decodeBase64Url, encodeBase64Url } from "../../src/protocol/Base64Url.js"
import { fromBase64Url } from "../../src/protocol/Bytes.js"
import { encodeHex } from "../../src/protocol/Hex.js"
import { Base64UrlBytes } from "../../src/protocol/WireSchemas.js"

/** A deterministic byte source (xorshift32), so a failure names the same input on every run. */
const bytesOf = (seed: number, length: number): Uint8Array => {
  let x = seed | 1
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 255
  }
  return out
}

const same = (a: Uint8Array | undefined, b: Uint8Array) =>
  a !== undefined && a.length === b.length && a.every((v, i) => v === b[i])

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

describe("base64url", () => {
  it("encodes every length as effect's Encoding does, and decodes its own text back to the same bytes", () => {
    for (let length = 0; length <= 260; length++) {
      for (const seed of [1, 77, 4099]) {
        const bytes = bytesOf(seed * 1000 + length, length)
        const text = encodeBase64Url(bytes)
        assert.strictEqual(text, Encoding.encodeBase64Url(bytes), `length ${length}`)
        assert.isTrue(same(decodeBase64Url(text), bytes), `length ${length}`)
      }
    }
    // Every byte value in every position of a 3-byte group.
    const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => (i * 85 + (i >> 8)) & 255)
    assert.strictEqual(encodeBase64Url(all), Encoding.encodeBase64Url(all))
  })

  it("decodes any unpadded text of the alphabet as effect does, unused low bits included", () => {
    for (let length = 0; length <= 90; length++) {
      if (length % 4 === 1) continue
      const text = Array.from({ length }, (_, i) => ALPHABET[(i * 29 + length * 7) % 64]).join("")
      const expected = Either.getOrThrow(Encoding.decodeBase64Url(text))
      assert.isTrue(same(decodeBase64Url(text), expected), text)
    }
  })

  it("refuses padding, line breaks, other characters anywhere and impossible lengths", () => {
    const valid = encodeBase64Url(bytesOf(9, 31))
    for (let at = 0; at < valid.length; at++) {
      for (const bad of ["=", "+", "/", " ", "\n", "\r", "\0", "é", "\u0141", "\u202e", "\u{1F600}"]) {
        const text = valid.slice(0, at) + bad + valid.slice(at + 1)
        assert.isUndefined(decodeBase64Url(text), JSON.stringify(text))
        assert.isTrue(fromBase64Url(text)._tag === "None")
      }
    }
    assert.isUndefined(decodeBase64Url("A"))
    assert.isUndefined(decodeBase64Url("AAAAA"))
    assert.isUndefined(decodeBase64Url("AAAA="))
    assert.strictEqual(decodeBase64Url("")?.length, 0)
  })

  it("the wire schema takes what effect's schema takes, with its messages, and encodes unpadded", () => {
    const ours = Schema.decodeUnknownEither(Base64UrlBytes)
    const theirs = Schema.decodeUnknownEither(Schema.Uint8ArrayFromBase64Url)
    const bytes = bytesOf(5, 20)
    const text = encodeBase64Url(bytes)
    for (const input of [
      text,
      `${text}==`.slice(0, 28),
      `${text.slice(0, 10)}\r\n${text.slice(10)}`,
      "AB=",
      "A",
      "a+b/",
      "é",
      42
    ]) {
      const a = ours(input)
      const b = theirs(input)
      assert.strictEqual(a._tag, b._tag, JSON.stringify(input))
      if (Either.isRight(a) && Either.isRight(b)) assert.isTrue(same(a.right, b.right), JSON.stringify(input))
      if (Either.isLeft(a) && Either.isLeft(b)) assert.strictEqual(a.left.message, b.left.message)
    }
    assert.strictEqual(Schema.encodeSync(Base64UrlBytes)(bytes), text)
  })
})

describe("hex", () => {
  it("encodes every byte value and every length as effect's Encoding does", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    assert.strictEqual(encodeHex(all), Encoding.encodeHex(all))
    for (let length = 0; length <= 70; length++) {
      const bytes = bytesOf(31 + length, length)
      assert.strictEqual(encodeHex(bytes), Encoding.encodeHex(bytes), `length ${length}`)
    }
  })
})
