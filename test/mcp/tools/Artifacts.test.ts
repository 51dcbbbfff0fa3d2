import { assert, describe, it } from "@effect/vitest"
import { Effect, Encoding } from "effect"
import { randomBytes } from "node:crypto"
import { successResult } from "../../../src/mcp/ToolResult.js"
import { getArtifact, MAX_REPLY_LINE_BYTES, postArtifact } from "../../../src/mcp/tools/ArtifactTools.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

// sha256("hello\n")
const HELLO_SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

describe("artifacts", () => {
  it.effect("text round trip, addressed by the sha256 of the bytes, deduplicated", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const posted = yield* call(postArtifact, alice, { text: "hello\n", name: "greeting.txt" })
      assert.deepStrictEqual(posted, { sha256: HELLO_SHA, size: 6, deduped: false })
      const again = yield* call(postArtifact, bob, { contentBase64: Encoding.encodeBase64("hello\n") })
      assert.deepStrictEqual(again, { sha256: HELLO_SHA, size: 6, deduped: true })
      const got = yield* call(getArtifact, bob, { sha256: HELLO_SHA })
      assert.deepStrictEqual(
        [got.content, got.encoding, got.name, got.mimeType],
        ["hello\n", "text", "greeting.txt", "text/plain; charset=utf-8"]
      )
      const b64 = yield* call(getArtifact, bob, { sha256: HELLO_SHA.toUpperCase(), encoding: "base64" })
      assert.strictEqual(b64.content, "aGVsbG8K")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("binary bytes survive base64 both ways; text of non-UTF-8 is refused", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bytes = new Uint8Array(256).map((_, i) => i)
      const posted = yield* call(postArtifact, alice, {
        contentBase64: Encoding.encodeBase64(bytes),
        mimeType: "application/octet-stream"
      })
      assert.strictEqual(posted.size, 256)
      const got = yield* call(getArtifact, alice, { sha256: posted.sha256 })
      assert.strictEqual(got.encoding, "base64")
      assert.deepStrictEqual(Encoding.decodeBase64(got.content), Encoding.decodeBase64(Encoding.encodeBase64(bytes)))
      assert.strictEqual(
        yield* codeOf(call(getArtifact, alice, { sha256: posted.sha256, encoding: "text" })),
        "INVALID_ARGUMENT"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("bad base64, unknown or malformed sha, both or neither content, over the cap", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      for (const contentBase64 of ["not base64!", "abc", "ab=c", "YQ==YQ=="]) {
        assert.strictEqual(
          yield* codeOf(call(postArtifact, alice, { contentBase64 })),
          "INVALID_ARGUMENT",
          contentBase64
        )
      }
      assert.strictEqual(yield* codeOf(call(getArtifact, alice, { sha256: "0".repeat(64) })), "ARTIFACT_NOT_FOUND")
      assert.strictEqual(yield* codeOf(call(getArtifact, alice, { sha256: "../../etc/passwd" })), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(call(postArtifact, alice, {})), "INVALID_ARGUMENT")
      assert.strictEqual(
        yield* codeOf(call(postArtifact, alice, { text: "a", contentBase64: "YQ==" })),
        "INVALID_ARGUMENT"
      )
      assert.strictEqual((yield* call(postArtifact, alice, { text: "x".repeat(16) })).size, 16)
      assert.strictEqual(yield* codeOf(call(postArtifact, alice, { text: "x".repeat(17) })), "ARTIFACT_TOO_LARGE")
      assert.strictEqual(
        yield* codeOf(call(postArtifact, alice, { contentBase64: Encoding.encodeBase64("y".repeat(17)) })),
        "ARTIFACT_TOO_LARGE"
      )
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_MAX_ARTIFACT_BYTES: "16" } })))
  )

  it.effect(
    "a 10 MiB artifact comes back in pieces whose stdout lines stay under 4 MiB, byte-exact",
    () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const big = 10 * 1024 * 1024
        const cases: Array<[string, Buffer, "text" | "base64"]> = [
          ["quotes", Buffer.alloc(big, 0x22), "text"],
          ["control characters", Buffer.alloc(big, 0x01), "text"],
          ["random bytes", randomBytes(big), "base64"]
        ]
        for (const [what, bytes, encoding] of cases) {
          const posted = yield* call(postArtifact, alice, {
            contentBase64: bytes.toString("base64"),
            mimeType: encoding === "text" ? "text/plain" : "application/octet-stream"
          })
          const parts: Array<Buffer> = []
          let offset: number | undefined = 0
          let replies = 0
          while (offset !== undefined) {
            const got: any = yield* call(getArtifact, alice, { sha256: posted.sha256, offset })
            const line = JSON.stringify({ jsonrpc: "2.0", id: 1_000_000, result: successResult(got) })
            assert.isAtMost(Buffer.byteLength(line), MAX_REPLY_LINE_BYTES, what)
            assert.deepStrictEqual([got.offset, got.size, got.encoding], [offset, big, encoding], what)
            parts.push(Buffer.from(got.content, encoding === "text" ? "utf8" : "base64"))
            assert.strictEqual(parts.at(-1)?.length, got.length)
            offset = got.nextOffset
            replies++
          }
          assert.isTrue(Buffer.concat(parts).equals(bytes), what)
          assert.isAtLeast(replies, 3, what)
        }
      }).pipe(Effect.provide(memoryBridge())),
    // Three 10 MiB artifacts encoded piece by piece: seconds of CPU, more on a busy machine.
    120_000
  )

  it.effect("reads a range by offset and length; a small artifact comes whole, with no nextOffset", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const posted = yield* call(postArtifact, alice, { text: "hello\n" })
      const whole = yield* call(getArtifact, alice, { sha256: posted.sha256 })
      assert.deepStrictEqual(
        [whole.offset, whole.length, whole.content, "nextOffset" in whole],
        [0, 6, "hello\n", false]
      )
      const part = yield* call(getArtifact, alice, { sha256: posted.sha256, offset: 1, length: 3 })
      assert.deepStrictEqual([part.offset, part.length, part.content, part.nextOffset], [1, 3, "ell", 4])
      const b64 = yield* call(getArtifact, alice, { sha256: posted.sha256, encoding: "base64", offset: 3 })
      assert.deepStrictEqual([b64.length, b64.content], [3, "bG8K"])
      assert.strictEqual((yield* call(getArtifact, alice, { sha256: posted.sha256, offset: 6 })).content, "")
      assert.strictEqual(
        yield* codeOf(call(getArtifact, alice, { sha256: posted.sha256, offset: 7 })),
        "INVALID_ARGUMENT"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )
})
