import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Schema } from "effect"
import { Identity } from "../../../src/bridge/Identity.js"
import { Sessions } from "../../../src/bridge/Sessions.js"
import { Layout } from "../../../src/domain/Layout.js"
import { ArtifactMeta } from "../../../src/domain/Records.js"
import { writeJson } from "../../../src/services/store/Documents.js"
import { getArtifact, postArtifact } from "../../../src/mcp/tools/ArtifactTools.js"
import { joinChannel } from "../../../src/mcp/tools/ChannelTools.js"
import { readMessage, sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { call, memoryBridge, register } from "../../bridge/support.js"

const failure = <A, R>(effect: Effect.Effect<A, { readonly code: string; readonly message: string }, R>) =>
  Effect.map(Effect.flip(effect), (e) => ({ code: e.code, message: e.message }))

describe("labels entering the bridge", () => {
  it.effect("a label with a bidi override, a zero-width space or only spaces is refused, naming the code point", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      for (const [label, named] of [
        ["ali\u202Ece", "U+202E"],
        ["bo\u200Bb", "U+200B"],
        ["\u2066x", "U+2066"],
        ["x\u0085", "U+0085"],
        ["   ", "blank"]
      ] as const) {
        const e = yield* failure(sessions.register({ label, cwd: "/work/x", provider: "codex" }))
        assert.strictEqual(e.code, "INVALID_NAME")
        assert.include(e.message, named)
      }
      // Nothing was registered.
      assert.lengthOf(yield* sessions.list({ includeOffline: true }), 0)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("labels are stored NFC and found by either form", () =>
    Effect.gen(function* () {
      const decomposed = "e\u0301quipe"
      const composed = "\u00e9quipe"
      const a = yield* register(decomposed)
      assert.strictEqual(a.label, composed)
      const bob = yield* register("bob")
      const sent = yield* call(sendMessage, bob, { to: { label: decomposed }, subject: "hi" })
      assert.deepStrictEqual(
        sent.recipients.map((r: { label: string }) => r.label),
        [composed]
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("sending to a label with a hidden character is INVALID_NAME, not a silent miss", () =>
    Effect.gen(function* () {
      const bob = yield* register("bob")
      yield* register("alice")
      const e = yield* failure(call(sendMessage, bob, { to: { label: "ali\u200Dce" }, subject: "hi" }))
      assert.strictEqual(e.code, "INVALID_NAME")
      assert.include(e.message, "U+200D")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("an invalid SESSION_BRIDGE_LABEL is refused for tools and ignored (not stored) by the hook", () =>
    Effect.gen(function* () {
      const identity = yield* Identity
      const e = yield* failure(identity.resolve({ provider: "codex", cwd: "/work/app" }))
      assert.strictEqual(e.code, "INVALID_NAME")
      assert.include(e.message, "SESSION_BRIDGE_LABEL")
      assert.include(e.message, "U+202E")
      const record = yield* identity.resolve({ provider: "codex", cwd: "/work/app", ignoreInvalidEnvLabel: true })
      assert.strictEqual(record.label, "app")
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_LABEL: "evil\u202Egnp.exe" } })))
  )

  it.effect("a channel name with a hidden character is INVALID_NAME naming it", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const e = yield* failure(call(joinChannel, alice, { channel: "#rel\u200Bease" }))
      assert.strictEqual(e.code, "INVALID_NAME")
      assert.include(e.message, "U+200B")
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("artifact names and MIME types", () => {
  it.effect("unsafe names are INVALID_NAME and bad MIME types INVALID_ARGUMENT; nothing is stored", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      for (const name of ["../../etc/passwd", "a\r\nb", "nul\u0000", "..", "x".repeat(10_000), "\u202Etxt.exe"]) {
        const e = yield* failure(call(postArtifact, alice, { text: "x", name }))
        assert.strictEqual(e.code, "INVALID_NAME", name.slice(0, 20))
      }
      for (const mimeType of ["text/plain\r\nX-Evil: 1", "nope", "a/" + "b".repeat(300), "text/plain\u0000"]) {
        const e = yield* failure(call(postArtifact, alice, { text: "x", mimeType }))
        assert.strictEqual(e.code, "INVALID_ARGUMENT", mimeType.slice(0, 20))
      }
      const ok = yield* call(postArtifact, alice, { text: "x", name: "notes.md", mimeType: "text/markdown" })
      const got = yield* call(getArtifact, alice, { sha256: ok.sha256 })
      assert.deepStrictEqual([got.name, got.mimeType], ["notes.md", "text/markdown"])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a name or MIME type stored before validation is never returned raw", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const posted = yield* call(postArtifact, alice, { text: "legacy" })
      yield* writeJson(
        Layout.artifactMeta(posted.sha256),
        ArtifactMeta,
        ArtifactMeta.make({
          v: 1,
          sha256: yield* Schema.decode(ArtifactMeta.fields.sha256)(posted.sha256),
          size: 6,
          name: "../../etc/passwd\r\n",
          mimeType: "text/plain\r\nX-Evil: 1",
          postedBy: alice.sessionId,
          createdAt: DateTime.unsafeNow()
        })
      )
      const got = yield* call(getArtifact, alice, { sha256: posted.sha256 })
      assert.isUndefined(got.name)
      assert.strictEqual(got.mimeType, "application/octet-stream")
      const sent = yield* call(sendMessage, alice, { to: { label: "alice" }, subject: "s", artifacts: [posted.sha256] })
      const read = yield* call(readMessage, alice, { id: sent.messageId })
      assert.notInclude(JSON.stringify(read), "passwd")
    }).pipe(Effect.provide(memoryBridge()))
  )
})
