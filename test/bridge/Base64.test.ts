import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { decodeBase64, encodeBase64 } from "../../src/bridge/Base64.js"

describe("Base64", () => {
  it("round-trips every length 0-64 and matches Node's encoder", () => {
    for (let len = 0; len <= 64; len++) {
      const bytes = new Uint8Array(len).map((_, i) => (i * 97 + len * 13) & 255)
      const text = encodeBase64(bytes)
      assert.strictEqual(text, Buffer.from(bytes).toString("base64"))
      assert.deepStrictEqual(Option.getOrThrow(decodeBase64(text)), bytes)
    }
  })

  it("ignores line breaks and refuses anything else that is not base64", () => {
    assert.deepStrictEqual(Option.getOrThrow(decodeBase64("aGVs\nbG8K\r\n")), new TextEncoder().encode("hello\n"))
    for (const bad of ["abc", "ab=c", "YQ==YQ==", "Y===", "====", "aGVsbG8*", "aGVsbG8é", "-_-_"]) {
      assert.isTrue(Option.isNone(decodeBase64(bad)), bad)
    }
  })
})
