import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema, TestClock } from "effect"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"

const BridgeLayer = () => BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))
import * as CurrentSession from "../../src/bridge/CurrentSession.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { pointerKeys, Sessions } from "../../src/bridge/Sessions.js"
import { runHook } from "../../src/hook/Hook.js"
import { hookServices } from "../../src/hook/HookLayer.js"
import { listInbox } from "../../src/mcp/tools/MessageTools.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { type DiskState, failingStoreLayer, makeFailingStore } from "../support/failingStore.js"

const HSID = "0f4c7a8e-3b1d-4c55-9a66-9d5b8f3e2a10"
const CWD = "/home/u/proj"
const payload = (event: string) => JSON.stringify({ session_id: HSID, cwd: CWD, hook_event_name: event })

/** The hook's services and every domain service over one memory home whose disk can be made full. */
const world = Effect.gen(function* () {
  const failing = yield* makeFailingStore
  const infra = Layer.mergeAll(
    failingStoreLayer(failing),
    Lock.layerMemory,
    Ids.layer,
    HostEnv.layerMemory({ cwd: CWD })
  )
  const shared = Layer.succeedContext(yield* Layer.build(infra))
  const hookCtx = yield* Layer.build(hookServices(shared))
  const ctx = yield* Layer.build(Layer.merge(BridgeLayer(), shared).pipe(Layer.provide(shared)))
  const hook = (event: string) =>
    runHook([event, "--provider", "claude-code"], Effect.succeed(payload(event)), Effect.succeed(hookCtx)).pipe(
      Effect.provide(HostEnv.layerMemory({ cwd: CWD }))
    )
  const disk = (state: DiskState) => Effect.sync(() => failing.set(state))
  return { hook, disk, ctx }
})

/** Starts the session through the hook and sends it three messages, while the disk still has room. */
const setUp = (w: Effect.Effect.Success<typeof world>) =>
  Effect.gen(function* () {
    assert.strictEqual((yield* w.hook("SessionStart")).reply, "")
    return yield* Effect.provide(
      Effect.gen(function* () {
        const sessions = yield* Sessions
        const pointer = yield* sessions.readPointer(yield* pointerKeys.host("claude-code", HSID))
        const me = Option.getOrThrow(pointer).sessionId
        const sender = yield* sessions.register({ label: "alice", cwd: "/home/u/other", provider: "codex" })
        for (const subject of ["one", "two", "three"])
          yield* (yield* Mailbox).send({ from: sender, to: { sessionId: me }, subject, body: "b" })
        return me
      }),
      w.ctx
    )
  })

const shown = (reply: string): Array<string> =>
  reply === ""
    ? []
    : [...(JSON.parse(reply).hookSpecificOutput.additionalContext as string).matchAll(/subject: (\w+)/g)].map(
        (m) => m[1]!
      )

describe("a full disk never stands between a user and their messages", () => {
  it.scoped("the hook surfaces though lastSeen cannot be written; markers still keep them from showing twice", () =>
    Effect.gen(function* () {
      const w = yield* world
      yield* setUp(w)
      // Long enough that the prompt wants to refresh lastSeen (a write).
      yield* TestClock.adjust("5 minutes")
      yield* w.disk("full")
      const first = yield* w.hook("UserPromptSubmit")
      assert.deepStrictEqual(shown(first.reply), ["one", "two", "three"], first.note)
      const second = yield* w.hook("UserPromptSubmit")
      assert.deepStrictEqual(shown(second.reply), [], second.note)
    })
  )

  it.scoped("with no inode left even markers fail: the messages are shown anyway, and again next prompt", () =>
    Effect.gen(function* () {
      const w = yield* world
      yield* setUp(w)
      yield* TestClock.adjust("5 minutes")
      yield* w.disk("full-no-inodes")
      const first = yield* w.hook("UserPromptSubmit")
      assert.deepStrictEqual(shown(first.reply), ["one", "two", "three"], first.note)
      const again = yield* w.hook("UserPromptSubmit")
      assert.deepStrictEqual(shown(again.reply), ["one", "two", "three"], again.note)
    })
  )

  it.scoped("bridge_list_inbox lists on a home where nothing can be written (lastSeen refresh skipped)", () =>
    Effect.gen(function* () {
      const w = yield* world
      const me = yield* setUp(w)
      yield* TestClock.adjust("5 minutes")
      yield* w.disk("full-no-inodes")
      // The MCP server's lazy session: resolved on the first call, which registers (refreshes) the session.
      const current = yield* Effect.provide(
        CurrentSession.makeLazy(Effect.succeed({ provider: "claude-code" as const, cwd: CWD, hostSessionId: HSID })),
        w.ctx
      )
      const raw = yield* listInbox
        .handler({})
        .pipe(Effect.provideService(CurrentSession.CurrentSession, current), Effect.provide(w.ctx))
      const result = yield* Schema.decodeUnknown(
        Schema.Struct({ unread: Schema.Number, entries: Schema.Array(Schema.Struct({ subject: Schema.String })) })
      )(raw)
      assert.strictEqual(result.unread, 3)
      assert.deepStrictEqual(
        result.entries.map((e) => e.subject),
        ["three", "two", "one"]
      )
      assert.strictEqual((yield* Effect.provide(current.get, w.ctx)).sessionId, me)
    })
  )
})

describe("the payload's cwd", () => {
  it.scoped("a relative cwd is ignored: the session is registered for the process's own folder", () =>
    Effect.gen(function* () {
      const failing = yield* makeFailingStore
      const infra = Layer.mergeAll(
        failingStoreLayer(failing),
        Lock.layerMemory,
        Ids.layer,
        HostEnv.layerMemory({ cwd: CWD })
      )
      const shared = Layer.succeedContext(yield* Layer.build(infra))
      const hookCtx = yield* Layer.build(hookServices(shared))
      const out = yield* runHook(
        ["SessionStart", "--provider", "claude-code"],
        Effect.succeed(JSON.stringify({ session_id: HSID, cwd: "../../etc", hook_event_name: "SessionStart" })),
        Effect.succeed(hookCtx)
      ).pipe(Effect.provide(HostEnv.layerMemory({ cwd: CWD })))
      assert.strictEqual(out.reply, "")
      const records = yield* Effect.provide(
        Effect.flatMap(Sessions, (s) => s.list({ includeOffline: true })),
        Layer.merge(BridgeLayer(), shared).pipe(Layer.provide(shared))
      )
      assert.deepStrictEqual(
        records.map((r) => r.record.cwd),
        [CWD]
      )
    })
  )
})
