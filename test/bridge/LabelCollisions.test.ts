import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { sendMessage } from "../../src/mcp/tools/MessageTools.js"
import { whoami } from "../../src/mcp/tools/SessionTools.js"
import { call, memoryBridge, register } from "./support.js"

describe("a label shared by several sessions", () => {
  it.effect("the send result names the session reached, and says the label matched several live ones", () =>
    Effect.gen(function* () {
      const sender = yield* register("sender")
      yield* register("planner", "/work/shop-a", "codex")
      yield* TestClock.adjust("1 minute")
      const newer = yield* register("planner", "/work/shop-b", "claude-code")
      const sent = yield* call(sendMessage, sender, { to: { label: "planner" }, subject: "s" })
      assert.deepStrictEqual(sent.reached, {
        sessionId: newer.sessionId,
        shortId: newer.sessionId.slice(0, 12),
        label: "planner",
        provider: "claude-code",
        cwd: "/work/shop-b"
      })
      assert.deepStrictEqual(sent.ambiguous, {
        by: "label",
        value: "planner",
        matches: 2,
        online: true,
        chosen: "newest"
      })
      assert.include(sent.note, "matched 2 live sessions; the newest was chosen")
      assert.include(sent.note, `planner (claude-code, /work/shop-b, ${newer.sessionId.slice(0, 12)})`)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a cwd shared by two live sessions is reported the same way", () =>
    Effect.gen(function* () {
      const sender = yield* register("sender")
      yield* register("one", "/work/same")
      yield* register("two", "/work/same")
      const sent = yield* call(sendMessage, sender, { to: { cwd: "/work/same" }, subject: "s" })
      assert.strictEqual(sent.ambiguous.by, "cwd")
      assert.strictEqual(sent.ambiguous.matches, 2)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("one live match (the other offline) is not ambiguous, and still names the session reached", () =>
    Effect.gen(function* () {
      yield* register("planner", "/work/old")
      yield* TestClock.adjust("11 minutes")
      const sender = yield* register("sender")
      const live = yield* register("planner", "/work/new")
      const sent = yield* call(sendMessage, sender, { to: { label: "planner" }, subject: "s" })
      assert.strictEqual(sent.reached.sessionId, live.sessionId)
      assert.notProperty(sent, "ambiguous")
      assert.notProperty(sent, "note")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("bridge_whoami warns about another live session with the same label, and how to fix it", () =>
    Effect.gen(function* () {
      const other = yield* register("planner", "/work/shop-a", "codex")
      const me = yield* register("planner", "/work/shop-b")
      const result = yield* call(whoami, me)
      assert.deepStrictEqual(result.labelShared, [
        {
          sessionId: other.sessionId,
          shortId: other.sessionId.slice(0, 12),
          label: "planner",
          provider: "codex",
          cwd: "/work/shop-a"
        }
      ])
      assert.include(result.warning, `codex in /work/shop-a (${other.sessionId.slice(0, 12)})`)
      assert.include(result.warning, "SESSION_BRIDGE_LABEL=<name>")
      assert.include(result.warning, "init --label <name>")
      // Once the other session is offline, nothing is shared any more.
      yield* TestClock.adjust("11 minutes")
      const later = yield* register("planner", "/work/shop-b")
      const alone = yield* call(whoami, later)
      assert.notProperty(alone, "labelShared")
      assert.notProperty(alone, "warning")
    }).pipe(Effect.provide(memoryBridge()))
  )
})
