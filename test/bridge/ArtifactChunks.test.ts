import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { randomBytes } from "node:crypto"
import { base64Chunk, isUtf8, textChunk, WORST_BYTE_COST } from "../../src/bridge/ArtifactChunks.js"

const utf8 = new TextEncoder()
/** What a string costs on the wire: JSON inside a JSON string, as a tool result's text block carries it. */
const wireCost = (s: string) => utf8.encode(JSON.stringify(JSON.stringify(s))).length - 2 - 4

/** Reads every piece from offset 0, checking each one's cost, and returns the reassembled bytes. */
const readAll = (bytes: Uint8Array, encoding: "text" | "base64", budget: number, length?: number) => {
  const parts: Array<Uint8Array> = []
  let offset = 0
  let pieces = 0
  do {
    const chunk = Either.getOrThrow((encoding === "text" ? textChunk : base64Chunk)(bytes, { offset, length, budget }))
    assert.strictEqual(chunk.offset, offset)
    assert.isAtMost(wireCost(chunk.content), budget)
    if (length !== undefined) assert.isAtMost(chunk.length, Math.max(length, 3))
    parts.push(encoding === "text" ? utf8.encode(chunk.content) : Buffer.from(chunk.content, "base64"))
    offset += chunk.length
    pieces++
  } while (offset < bytes.length)
  return { bytes: Buffer.concat(parts), pieces }
}

describe("artifact pieces", () => {
  it("split worst-case text (quotes, control characters) within the budget and reassemble byte-exact", () => {
    for (const ch of ['"', "\\", "\u0001", "\n", "a"]) {
      const bytes = utf8.encode(ch.repeat(10_000))
      const got = readAll(bytes, "text", 1000)
      assert.isTrue(got.bytes.equals(bytes), JSON.stringify(ch))
      assert.isAtMost(got.pieces, Math.ceil((10_000 * WORST_BYTE_COST) / 1000) + 1)
    }
    assert.strictEqual(WORST_BYTE_COST, 7)
  })

  it("never cuts a multi-byte character, and honours length", () => {
    const bytes = utf8.encode("é€😀a".repeat(500))
    for (const budget of [5, 7, 100, 999]) assert.isTrue(readAll(bytes, "text", budget).bytes.equals(bytes))
    assert.isTrue(readAll(bytes, "text", 1_000_000, 4).bytes.equals(bytes))
    const one = Either.getOrThrow(textChunk(bytes, { offset: 0, length: 3, budget: 100 }))
    assert.deepStrictEqual([one.length, one.content], [2, "é"])
  })

  it("splits random bytes into base64 pieces of whole 3-byte groups", () => {
    const bytes = randomBytes(100_001)
    const got = readAll(bytes, "base64", 4000)
    assert.isTrue(got.bytes.equals(bytes))
    const first = Either.getOrThrow(base64Chunk(bytes, { offset: 0, budget: 4000 }))
    assert.strictEqual(first.length, 3000)
    assert.notInclude(first.content, "=")
    assert.isTrue(readAll(bytes, "base64", 1_000_000, 7000).bytes.equals(bytes))
  })

  it("refuses an offset past the end or inside a character; the end itself is an empty piece", () => {
    const bytes = utf8.encode("aé")
    const code = (e: Either.Either<unknown, { code: string }>) =>
      Either.match(e, { onLeft: (x) => x.code, onRight: () => "ok" })
    assert.strictEqual(code(textChunk(bytes, { offset: 4, budget: 100 })), "INVALID_ARGUMENT")
    assert.strictEqual(code(base64Chunk(bytes, { offset: 4, budget: 100 })), "INVALID_ARGUMENT")
    assert.strictEqual(code(textChunk(bytes, { offset: 2, budget: 100 })), "INVALID_ARGUMENT")
    assert.strictEqual(code(textChunk(bytes, { offset: 1, length: 1, budget: 100 })), "INVALID_ARGUMENT")
    assert.deepStrictEqual(Either.getOrThrow(textChunk(bytes, { offset: 3, budget: 100 })), {
      offset: 3,
      length: 0,
      content: ""
    })
  })

  it("tells UTF-8 from other bytes", () => {
    assert.isTrue(isUtf8(utf8.encode("ok é")))
    assert.isFalse(isUtf8(new Uint8Array([0x61, 0xff])))
  })
})
