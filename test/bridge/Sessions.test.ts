import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Store } from "../../src/services/store/Store.js"
import { sendMessage, listInbox } from "../../src/mcp/tools/MessageTools.js"
import { listSessions, setSummary, whoami } from "../../src/mcp/tools/SessionTools.js"
import { call, codeOf, events, memoryBridge, register } from "./support.js"

describe("Sessions", () => {
  it.effect("registers with the label from SESSION_BRIDGE_LABEL, else the cwd basename", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const a = yield* sessions.register({ cwd: "/work/alpha/", provider: "codex" })
      assert.strictEqual(a.label, "env-label")
      assert.strictEqual(a.cwd, "/work/alpha")
      const me = yield* call(whoami, a)
      assert.deepStrictEqual(me, { sessionId: a.sessionId, label: "env-label", cwd: "/work/alpha", provider: "codex" })
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_LABEL: "env-label" } })))
  )

  it.effect("defaults the label to the cwd basename and keeps it on refresh", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const a = yield* sessions.register({ cwd: "/work/beta", provider: "codex" })
      assert.strictEqual(a.label, "beta")
      const again = yield* sessions.register({ sessionId: a.sessionId, cwd: "/work/beta", provider: "codex" })
      assert.strictEqual(again.label, "beta")
      assert.strictEqual(again.createdAt.epochMillis, a.createdAt.epochMillis)
      assert.strictEqual(
        yield* codeOf(sessions.register({ cwd: "/x", provider: "codex", label: "../evil" })),
        "INVALID_NAME"
      )
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a refresh that changes nothing within a minute writes nothing; later, or with a change, it does", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const store = yield* Store
      const a = yield* sessions.register({ cwd: "/work/gamma", provider: "codex", hostSessionId: "h-1" })
      const input = { sessionId: a.sessionId, cwd: "/work/gamma", provider: "codex" as const }
      const stored = () => Effect.map(store.readText(`sessions/${a.sessionId}.json`), Option.getOrThrow)
      const before = yield* stored()
      yield* TestClock.adjust("30 seconds")
      const same = yield* sessions.register(input)
      assert.strictEqual(same.lastSeen.epochMillis, a.lastSeen.epochMillis)
      assert.strictEqual(same.hostSessionId, "h-1")
      assert.strictEqual(yield* stored(), before)
      // A new label is written at once.
      const renamed = yield* sessions.register({ ...input, label: "renamed" })
      assert.strictEqual(renamed.label, "renamed")
      assert.isAbove(renamed.lastSeen.epochMillis, a.lastSeen.epochMillis)
      yield* TestClock.adjust("61 seconds")
      const later = yield* sessions.register(input)
      assert.strictEqual(later.lastSeen.epochMillis, renamed.lastSeen.epochMillis + 61_000)
      // An ended session is revived by its next registration, however recent its lastSeen.
      yield* sessions.end(a.sessionId)
      const revived = yield* sessions.register(input)
      assert.isUndefined(revived.endedAt)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("is online for 10 minutes after lastSeen; list hides offline unless asked", () =>
    Effect.gen(function* () {
      const a = yield* register("alice")
      yield* TestClock.adjust("9 minutes")
      const b = yield* register("bob")
      let listed = (yield* call(listSessions, b)).sessions
      assert.deepStrictEqual(
        listed.map((s: { label: string }) => s.label),
        ["bob", "alice"]
      )
      yield* TestClock.adjust("2 minutes")
      listed = (yield* call(listSessions, b)).sessions
      assert.deepStrictEqual(
        listed.map((s: { label: string }) => s.label),
        ["bob"]
      )
      listed = (yield* call(listSessions, b, { includeOffline: true })).sessions
      assert.deepStrictEqual(
        listed.map((s: { label: string; online: boolean }) => [s.label, s.online]),
        [
          ["bob", true],
          ["alice", false]
        ]
      )
      yield* (yield* Sessions).touch(a.sessionId)
      assert.strictEqual((yield* call(listSessions, b)).sessions.length, 2)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("an ended session is offline; set_summary shows in list_sessions", () =>
    Effect.gen(function* () {
      const a = yield* register("alice")
      const b = yield* register("bob")
      assert.deepStrictEqual(yield* call(setSummary, b, { summary: "reviewing the parser" }), {
        summary: "reviewing the parser"
      })
      yield* (yield* Sessions).end(a.sessionId)
      const listed = (yield* call(listSessions, b, { includeOffline: true })).sessions
      assert.deepStrictEqual(listed.find((s: { label: string }) => s.label === "bob").summary, "reviewing the parser")
      assert.isFalse(listed.find((s: { label: string }) => s.label === "alice").online)
      assert.strictEqual(yield* codeOf(call(setSummary, b, { summary: "x".repeat(1001) })), "INVALID_ARGUMENT")
      assert.deepStrictEqual(yield* call(setSummary, b, { summary: "" }), { summary: "" })
      const cleared = (yield* call(listSessions, b)).sessions.find((s: { label: string }) => s.label === "bob")
      assert.isFalse("summary" in cleared)
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("addressing", () => {
  const sendTo = (to: unknown) =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const found = (yield* sessions.list({ includeOffline: true })).find((s) => s.record.label === "alice")
      const a = found !== undefined ? found.record : yield* register("alice")
      return yield* call(sendMessage, a, { to, subject: "hi" })
    })

  it.effect("by label, absolute cwd, full id, and lowercase unique prefix", () =>
    Effect.gen(function* () {
      yield* register("alice")
      yield* TestClock.adjust("5 minutes")
      const bob = yield* register("bob", "/work/bob")
      for (const to of [
        { label: "bob" },
        { cwd: "/work/bob/" },
        { sessionId: bob.sessionId },
        { sessionId: bob.sessionId.slice(0, 10).toLowerCase() }
      ]) {
        const sent = yield* sendTo(to)
        assert.deepStrictEqual(sent.recipients, [{ sessionId: bob.sessionId, label: "bob" }])
      }
      assert.strictEqual((yield* call(listInbox, bob)).unread, 4)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("several live matches: newest lastSeen wins and the event is logged", () =>
    Effect.gen(function* () {
      const old = yield* register("twin", "/work/same")
      yield* TestClock.adjust("1 minute")
      const fresh = yield* register("twin", "/work/same")
      const byLabel = yield* sendTo({ label: "twin" })
      assert.strictEqual(byLabel.recipients[0].sessionId, fresh.sessionId)
      const byCwd = yield* sendTo({ cwd: "/work/same" })
      assert.strictEqual(byCwd.recipients[0].sessionId, fresh.sessionId)
      const logged = (yield* events).filter((e) => e.event.startsWith("ambiguous_"))
      assert.deepStrictEqual(
        logged.map((e) => e.event),
        ["ambiguous_label_resolved", "ambiguous_cwd_resolved"]
      )
      assert.strictEqual(logged[0]!.data["chosen"], fresh.sessionId)
      assert.includeMembers(logged[0]!.data["candidates"] as Array<string>, [old.sessionId, fresh.sessionId])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("an offline recipient still gets the message", () =>
    Effect.gen(function* () {
      const bob = yield* register("bob")
      yield* TestClock.adjust("1 hour")
      const sent = yield* sendTo({ label: "bob" })
      assert.strictEqual(sent.recipients[0].sessionId, bob.sessionId)
      assert.strictEqual((yield* call(listInbox, bob)).unread, 1)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("ambiguous prefix, unknown recipient, bad shapes give their codes", () =>
    Effect.gen(function* () {
      const sessions = yield* Sessions
      let ids: Array<string> = []
      // Two live sessions whose ids share a prefix: ULIDs minted in the same millisecond share the time part.
      for (let i = 0; i < 2; i++) ids.push((yield* register(`s${i}`)).sessionId)
      const common = ids[0]!.slice(0, 8)
      assert.strictEqual(ids[1]!.slice(0, 8), common)
      assert.strictEqual(yield* codeOf(sendTo({ sessionId: common })), "AMBIGUOUS_RECIPIENT")
      assert.strictEqual(yield* codeOf(sendTo({ label: "nobody" })), "RECIPIENT_NOT_FOUND")
      assert.strictEqual(yield* codeOf(sendTo({ cwd: "/nowhere" })), "RECIPIENT_NOT_FOUND")
      assert.strictEqual(yield* codeOf(sendTo({ cwd: "relative/path" })), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(sendTo({ sessionId: "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" })), "RECIPIENT_NOT_FOUND")
      assert.strictEqual(yield* codeOf(sendTo({ sessionId: "abc" })), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(sendTo({ label: "x", cwd: "/y" })), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(sendTo({})), "INVALID_ARGUMENT")
      // A prefix only matches live sessions.
      yield* TestClock.adjust("11 minutes")
      ids = []
      assert.strictEqual(
        yield* codeOf(
          sendTo({ sessionId: (yield* sessions.list({ includeOffline: true }))[2]!.record.sessionId.slice(0, 10) })
        ),
        "RECIPIENT_NOT_FOUND"
      )
      assert.isTrue(Option.isNone(yield* sessions.get("01ARZ3NDEKTSV4RRFFQ69G5FAV" as never)))
    }).pipe(Effect.provide(memoryBridge()))
  )
})
