import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { pointerKeys, Sessions } from "../../src/bridge/Sessions.js"
import { Surfacing } from "../../src/bridge/Surfacing.js"
import { Layout } from "../../src/domain/Layout.js"
import type { SessionId } from "../../src/domain/Ulid.js"
import { parseArgs, runHook } from "../../src/hook/Hook.js"
import { hookServices } from "../../src/hook/HookLayer.js"
import { BLOCK_LIMIT } from "../../src/domain/InboxBlock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store } from "../../src/services/store/Store.js"
import { memoryInfra } from "../support/layers.js"

const BridgeLayer = BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))

const HSID = "a4fe65b5-c27e-445f-ba26-ced122f339de"
const claudePayload = (event: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: HSID, cwd: "/home/u/proj", hook_event_name: event, ...extra })

/**
 * The hook's services over fresh memory infrastructure, built once so several hook runs share one home; and every
 * domain service over the same infrastructure (another process on that home), to send messages and read state.
 */
const world = (env: Record<string, string> = {}, infra = memoryInfra({ env, cwd: "/home/u/proj" })) =>
  Effect.gen(function* () {
    const shared = Layer.succeedContext(yield* Layer.build(infra))
    const hookCtx = yield* Layer.build(hookServices(shared))
    return {
      services: Effect.succeed(hookCtx),
      hostEnv: HostEnv.layerMemory({ env, cwd: "/home/u/proj" }),
      ctx: yield* Layer.build(Layer.merge(BridgeLayer, shared).pipe(Layer.provide(shared)))
    }
  })

type World = Effect.Effect.Success<ReturnType<typeof world>>

const hook = (w: World, args: ReadonlyArray<string>, stdin: string) =>
  runHook(args, Effect.succeed(stdin), w.services).pipe(Effect.provide(w.hostEnv))

const inWorld = <A, E>(w: World, effect: Effect.Effect<A, E, Mailbox | Surfacing | Sessions | Store>) =>
  Effect.provide(effect, w.ctx)

/** A second session (the sender) and `n` messages from it to the hook's session. */
const sendMany = (w: World, to: SessionId, n: number, body = (i: number) => `body ${i}`) =>
  inWorld(
    w,
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const mailbox = yield* Mailbox
      const sender = yield* sessions.register({ label: "alice", cwd: "/home/u/other", provider: "codex" })
      for (let i = 0; i < n; i++)
        yield* mailbox.send({ from: sender, to: { sessionId: to }, subject: `subject ${i}`, body: body(i) })
    })
  )

const start = (w: World) =>
  Effect.gen(function* () {
    const out = yield* hook(
      w,
      ["SessionStart", "--provider", "claude-code"],
      claudePayload("SessionStart", { source: "startup" })
    )
    assert.strictEqual(out.reply, "")
    const pointer = yield* inWorld(
      w,
      Effect.flatMap(Sessions, (s) => Effect.flatMap(pointerKeys.host("claude-code", HSID), s.readPointer))
    )
    return Option.getOrThrow(pointer).sessionId
  })

const prompt = (w: World) =>
  hook(w, ["UserPromptSubmit", "--provider", "claude"], claudePayload("UserPromptSubmit", { prompt: "hi" }))
const contextOf = (reply: string): string => JSON.parse(reply).hookSpecificOutput.additionalContext

describe("parseArgs", () => {
  it("reads the event and --provider in either form", () => {
    assert.deepStrictEqual(parseArgs(["Stop", "--provider", "codex"]), { event: "Stop", provider: "codex" })
    assert.deepStrictEqual(parseArgs(["--provider=cursor", "stop"]), { event: "stop", provider: "cursor" })
    assert.deepStrictEqual(parseArgs([]), { event: undefined, provider: undefined })
  })
})

describe("hook runs", () => {
  it.scoped("session start registers the session and the pointers; a resume keeps id and label", () =>
    Effect.gen(function* () {
      const w = yield* world({ SESSION_BRIDGE_LABEL: "planner" })
      const id = yield* start(w)
      const again = yield* hook(
        w,
        ["SessionStart", "--provider", "claude-code"],
        claudePayload("SessionStart", { source: "resume" })
      )
      assert.strictEqual(again.reply, "")
      const records = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.list({ includeOffline: true }))
      )
      assert.strictEqual(records.length, 1)
      assert.strictEqual(records[0]?.record.sessionId, id)
      assert.strictEqual(records[0]?.record.label, "planner")
      assert.strictEqual(records[0]?.record.provider, "claude-code")
      assert.strictEqual(records[0]?.record.hostSessionId, HSID)
      const cwdPointer = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => Effect.flatMap(pointerKeys.cwd("/home/u/proj"), s.readPointer))
      )
      assert.strictEqual(Option.getOrThrow(cwdPointer).sessionId, id)
    })
  )

  it.scoped("two host sessions in one folder are two bridge sessions", () =>
    Effect.gen(function* () {
      const w = yield* world()
      yield* hook(
        w,
        ["SessionStart", "--provider", "codex"],
        JSON.stringify({ session_id: "one", cwd: "/home/u/proj" })
      )
      yield* hook(
        w,
        ["SessionStart", "--provider", "codex"],
        JSON.stringify({ session_id: "two", cwd: "/home/u/proj" })
      )
      const records = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.list({ includeOffline: true }))
      )
      assert.deepStrictEqual(records.map((r) => r.record.hostSessionId).sort(), ["one", "two"])
    })
  )

  it.scoped("prompt with nothing unread gives each host's empty reply", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const cases: ReadonlyArray<[string, string, string]> = [
        ["claude-code", "UserPromptSubmit", ""],
        ["codex", "UserPromptSubmit", "{}"],
        ["gemini-cli", "BeforeAgent", "{}"],
        ["cursor", "beforeSubmitPrompt", '{"continue":true}'],
        ["opencode", "UserPromptSubmit", "{}"],
        ["cline", "UserPromptSubmit", "{}"]
      ]
      for (const [provider, event, empty] of cases) {
        const out = yield* hook(
          w,
          [event, "--provider", provider],
          JSON.stringify({
            session_id: `s-${provider}`,
            sessionID: "ses_1",
            taskId: "t1",
            conversation_id: "c1",
            cwd: "/home/u/proj"
          })
        )
        assert.strictEqual(out.reply, empty, provider)
      }
    })
  )

  it.scoped("prompt surfaces unread messages once, then adds nothing", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const id = yield* start(w)
      yield* sendMany(w, id, 3)
      const first = yield* prompt(w)
      const text = contextOf(first.reply)
      assert.include(text, "<session-bridge-inbox>")
      assert.include(text, "from: alice\nhost: codex\nsubject: subject 0\n")
      assert.include(text, "body 2")
      assert.include(text, "No more messages waiting")
      assert.strictEqual(JSON.parse(first.reply).hookSpecificOutput.hookEventName, "UserPromptSubmit")
      const second = yield* prompt(w)
      assert.strictEqual(second.reply, "")
      // Surfaced is not read: the inbox still lists all three as unread.
      const inbox = yield* inWorld(
        w,
        Effect.flatMap(Mailbox, (m) => m.inbox(id))
      )
      assert.strictEqual(inbox.unread, 3)
    })
  )

  it.scoped("prompt before any session start registers the session and refreshes lastSeen", () =>
    Effect.gen(function* () {
      const w = yield* world()
      assert.strictEqual((yield* prompt(w)).reply, "")
      yield* TestClock.adjust("5 minutes")
      yield* prompt(w)
      const records = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.list())
      )
      assert.strictEqual(records.length, 1)
      assert.strictEqual(records[0]?.record.lastSeen.epochMillis, 5 * 60 * 1000)
    })
  )

  it.scoped("500 unread: each block stays under the cap and the backlog surfaces in order over later prompts", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const id = yield* start(w)
      yield* sendMany(w, id, 500, (i) => `message ${i} `.repeat(40))
      const seen: Array<number> = []
      for (let round = 0; round < 200 && seen.length < 500; round++) {
        const out = yield* prompt(w)
        if (out.reply === "") break
        const text = contextOf(out.reply)
        assert.isBelow(text.length, BLOCK_LIMIT)
        for (const m of text.matchAll(/subject: subject (\d+)/g)) seen.push(Number(m[1]))
        if (seen.length < 500) assert.include(text, `${500 - seen.length} more messages waiting`)
      }
      assert.deepStrictEqual(
        seen,
        Array.from({ length: 500 }, (_, i) => i)
      )
      assert.strictEqual((yield* prompt(w)).reply, "")
    })
  )

  it.scoped("session end marks the session ended; an unknown session creates nothing", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const id = yield* start(w)
      const out = yield* hook(
        w,
        ["SessionEnd", "--provider", "claude-code"],
        claudePayload("SessionEnd", { reason: "other" })
      )
      assert.strictEqual(out.reply, "")
      const record = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.get(id))
      )
      assert.isDefined(Option.getOrThrow(record).endedAt)
      yield* hook(w, ["SessionEnd", "--provider", "codex"], JSON.stringify({ session_id: "never-started", cwd: "/x" }))
      const all = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.list({ includeOffline: true }))
      )
      assert.strictEqual(all.length, 1)
    })
  )

  it.scoped("bad input gives the empty reply and touches nothing", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const cases: ReadonlyArray<[ReadonlyArray<string>, string, string]> = [
        [["UserPromptSubmit", "--provider", "codex"], "not json {", "{}"],
        [["UserPromptSubmit", "--provider", "codex"], "", "{}"],
        [["UserPromptSubmit", "--provider", "codex"], '{"session_id": 7}', "{}"],
        [["Bogus", "--provider", "gemini-cli"], "{}", "{}"],
        [["__proto__", "--provider", "codex"], "{}", "{}"],
        [["UserPromptSubmit", "--provider", "vim"], "{}", ""],
        [["UserPromptSubmit"], "{}", ""]
      ]
      for (const [args, stdin, reply] of cases) {
        const out = yield* hook(w, args, stdin)
        assert.strictEqual(out.reply, reply, `${args.join(" ")} <<< ${stdin}`)
      }
      const all = yield* inWorld(
        w,
        Effect.flatMap(Sessions, (s) => s.list({ includeOffline: true }))
      )
      assert.strictEqual(all.length, 0)
    })
  )

  it.scoped("a failing stdin read gives the empty reply", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const out = yield* runHook(["Stop", "--provider", "codex"], Effect.fail("EIO"), w.services).pipe(
        Effect.provide(w.hostEnv)
      )
      assert.strictEqual(out.reply, "{}")
      assert.match(out.note, /failed/)
    })
  )
})

/** Memory infrastructure whose store answers every call after `delayMs` (on the Clock: TestClock drives it). */
const slowInfra = (delayMs: number) =>
  Layer.mergeAll(
    Layer.effect(
      Store,
      Effect.gen(function* () {
        const store = yield* makeMemory
        let slow = false
        const d = <A, E>(e: Effect.Effect<A, E>) => Effect.suspend(() => (slow ? Effect.delay(e, delayMs) : e))
        return {
          ...store,
          read: (p: string) => d(store.read(p)),
          readText: (p: string) =>
            p === "__slow__" || p === "__fast__"
              ? Effect.sync(() => ((slow = p === "__slow__"), Option.none()))
              : d(store.readText(p)),
          write: (p: string, x: Uint8Array | string) => d(store.write(p, x)),
          createExclusive: (p: string, x: Uint8Array | string) => d(store.createExclusive(p, x)),
          list: (p: string) => d(store.list(p)),
          stat: (p: string) => d(store.stat(p))
        }
      })
    ),
    Lock.layerMemory,
    Ids.layer,
    HostEnv.layerMemory({ cwd: "/home/u/proj" })
  )

describe("budget", () => {
  it.scoped("a slow store is interrupted at the budget: empty reply, nothing marked, the messages keep waiting", () =>
    Effect.gen(function* () {
      const w = yield* world({}, slowInfra(5_000))
      const id = yield* start(w)
      yield* sendMany(w, id, 2)
      yield* inWorld(
        w,
        Effect.flatMap(Store, (s) => s.readText("__slow__"))
      )
      const fiber = yield* Effect.fork(prompt(w))
      yield* TestClock.adjust("2 seconds")
      const out = yield* Fiber.join(fiber)
      assert.strictEqual(out.reply, "")
      assert.match(out.note, /budget of 1500 ms ran out/)
      // Nothing was marked: both messages still wait for the next prompt, which shows them once the store is fast.
      yield* inWorld(
        w,
        Effect.flatMap(Store, (s) => s.readText("__fast__"))
      )
      const surfaced = yield* inWorld(
        w,
        Effect.flatMap(Store, (s) => s.list(Layout.surfacedDir(id)))
      )
      assert.deepStrictEqual(surfaced, [])
      assert.strictEqual(
        (yield* inWorld(
          w,
          Effect.flatMap(Surfacing, (s) => s.unsurfaced(id))
        )).waiting,
        2
      )
      assert.include(contextOf((yield* prompt(w)).reply), "subject 1")
    })
  )

  it.scoped("SESSION_BRIDGE_HOOK_BUDGET_MS sets the budget", () =>
    Effect.gen(function* () {
      const infra = slowInfra(300)
      const w = yield* world({ SESSION_BRIDGE_HOOK_BUDGET_MS: "200" }, infra)
      yield* inWorld(
        w,
        Effect.flatMap(Store, (s) => s.readText("__slow__"))
      )
      const fiber = yield* Effect.fork(prompt(w))
      yield* TestClock.adjust("400 millis")
      const out = yield* Fiber.join(fiber)
      assert.strictEqual(out.reply, "")
      assert.match(out.note, /budget of 200 ms ran out/)
    })
  )
})
