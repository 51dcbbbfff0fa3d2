import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import * as CurrentSession from "../../src/bridge/CurrentSession.js"
import { Identity } from "../../src/bridge/Identity.js"
import { pointerKeys, Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { Store } from "../../src/services/store/Store.js"
import { codeOf, memoryBridge } from "./support.js"

/** Lets background fibers run (including real promises such as Web Crypto hashing) until `check` holds. */
const eventually = (check: Effect.Effect<boolean, unknown, any>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000; i++) {
      if (yield* check) return true
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return false
  })

const EXPLICIT = "01J0000000000000000000000A"

describe("Identity", () => {
  it.effect("SESSION_BRIDGE_SESSION_ID wins and is registered when it has no record", () =>
    Effect.gen(function* () {
      const identity = yield* Identity
      const record = yield* identity.resolve({ provider: "codex", cwd: "/work/app", hostSessionId: "host-1" })
      assert.strictEqual(record.sessionId, EXPLICIT)
      assert.strictEqual(record.label, "planner")
      const again = yield* identity.resolve({ provider: "codex", cwd: "/work/app" })
      assert.strictEqual(again.sessionId, EXPLICIT)
      assert.strictEqual((yield* (yield* Sessions).list()).length, 1)
    }).pipe(
      Effect.provide(
        memoryBridge({ env: { SESSION_BRIDGE_SESSION_ID: EXPLICIT.toLowerCase(), SESSION_BRIDGE_LABEL: "planner" } })
      )
    )
  )

  it.effect("a malformed SESSION_BRIDGE_SESSION_ID is IDENTITY_UNRESOLVED", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* codeOf((yield* Identity).resolve({ provider: "codex", cwd: "/w" })),
        "IDENTITY_UNRESOLVED"
      )
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_SESSION_ID: "nope" } })))
  )

  it.effect("the hook and the MCP server of one host session agree, and a resume keeps id and label", () =>
    Effect.gen(function* () {
      const identity = yield* Identity
      // The MCP server may resolve first (hook not run yet): it claims the host-session pointer.
      const fromServer = yield* identity.resolve({ provider: "claude-code", cwd: "/work/app" })
      const fromHook = yield* identity.resolve({
        provider: "claude-code",
        cwd: "/work/app",
        hostSessionId: "abc-123",
        claimPointers: true
      })
      assert.strictEqual(fromHook.sessionId, fromServer.sessionId)
      assert.strictEqual(fromHook.hostSessionId, "abc-123")
      yield* (yield* Sessions).end(fromHook.sessionId)
      yield* TestClock.adjust("2 hours")
      const resumed = yield* identity.resolve({ provider: "claude-code", cwd: "/work/app", hostSessionId: "abc-123" })
      assert.strictEqual(resumed.sessionId, fromServer.sessionId)
      assert.strictEqual(resumed.label, "app")
      assert.isUndefined(resumed.endedAt)
      // A different host session in the same folder is a different bridge session.
      const other = yield* identity.resolve({ provider: "claude-code", cwd: "/work/app", hostSessionId: "def-456" })
      assert.notStrictEqual(other.sessionId, fromServer.sessionId)
    }).pipe(Effect.provide(memoryBridge({ env: { CLAUDE_CODE_SESSION_ID: "abc-123" } })))
  )

  it.effect("without ids: the cwd pointer, else a new session for the cwd", () =>
    Effect.gen(function* () {
      const identity = yield* Identity
      const sessions = yield* Sessions
      const hooked = yield* identity.resolve({
        provider: "codex",
        cwd: "/work/svc",
        hostSessionId: "h1",
        claimPointers: true
      })
      const server = yield* identity.resolve({ provider: "codex", cwd: "/work/svc/" })
      assert.strictEqual(server.sessionId, hooked.sessionId)
      const pointer = yield* sessions.readPointer(yield* pointerKeys.cwd("/work/svc"))
      assert.strictEqual(Option.getOrThrow(pointer).sessionId, hooked.sessionId)
      const fresh = yield* identity.resolve({ provider: "codex", cwd: "/work/elsewhere" })
      assert.notStrictEqual(fresh.sessionId, hooked.sessionId)
      assert.strictEqual(fresh.label, "elsewhere")
      // Hostile host ids become hashed, safe pointer keys.
      const key = yield* pointerKeys.host("codex", "../../etc/passwd\u0000")
      assert.match(key, /^h-[0-9a-f]{64}$/)
      assert.strictEqual(yield* codeOf(sessions.readPointer("../x")), "INVALID_NAME")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("the lazy CurrentSession resolves on first use, caches, and re-registers a removed record", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const current = yield* CurrentSession.makeLazy(
        Effect.succeed({ provider: "opencode" as const, cwd: "/work/lazy" })
      )
      assert.strictEqual((yield* sessions.list({ includeOffline: true })).length, 0)
      const first = yield* current.get
      assert.strictEqual(first.label, "lazy")
      yield* TestClock.adjust("1 minute")
      const second = yield* current.get
      assert.strictEqual(second.sessionId, first.sessionId)
      // lastSeen is refreshed in the background.
      const refreshed = sessions
        .get(first.sessionId)
        .pipe(Effect.map(Option.exists((r) => r.lastSeen.epochMillis > first.lastSeen.epochMillis)))
      assert.isTrue(yield* eventually(refreshed))
      yield* (yield* Store).remove(Layout.session(first.sessionId))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* current.get).sessionId, first.sessionId)
      assert.isTrue(yield* eventually(Effect.map(sessions.get(first.sessionId), Option.isSome)))
    }).pipe(Effect.provide(memoryBridge()))
  )
})
