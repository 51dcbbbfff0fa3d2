import { assert, describe, it } from "@effect/vitest"
import { Effect, Encoding } from "effect"
import { getArtifact, postArtifact } from "../../../src/mcp/tools/ArtifactTools.js"
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
})
