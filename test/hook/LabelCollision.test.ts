import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { runHook } from "../../src/hook/Hook.js"
import { hookServices } from "../../src/hook/HookLayer.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { Store } from "../../src/services/store/Store.js"
import { memoryInfra } from "../support/layers.js"

const BridgeLayer = BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))

/**
 * Hook runs and domain services over one memory home: the hook's session is labelled `label` by the environment,
 * and another live session, labelled "planner", already exists.
 */
const world = (label = "planner") =>
  Effect.gen(function* () {
    const env = { SESSION_BRIDGE_LABEL: label }
    const shared = Layer.succeedContext(yield* Layer.build(memoryInfra({ env, cwd: "/home/u/b" })))
    const hookCtx = yield* Layer.build(hookServices(shared))
    const ctx = yield* Layer.build(Layer.merge(BridgeLayer, shared).pipe(Layer.provide(shared)))
    const hook = (args: ReadonlyArray<string>, payload: Record<string, unknown>) =>
      runHook(args, Effect.succeed(JSON.stringify(payload)), Effect.succeed(hookCtx)).pipe(
        Effect.provide(HostEnv.layerMemory({ env, cwd: "/home/u/b" }))
      )
    const events = Effect.gen(function* () {
      const text = Option.getOrElse(yield* (yield* Store).readText("events.log"), () => "")
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> })
        .filter((e) => e.event === "label_collision")
    }).pipe(Effect.provide(ctx))
    const other = yield* Effect.flatMap(Sessions, (s) =>
      s.register({ label: "planner", cwd: "/home/u/a", provider: "codex" })
    ).pipe(Effect.provide(ctx))
    return { hook, events, other, ctx }
  })

describe("session start with a label another live session has", () => {
  it.scoped("Claude Code gets one line of SessionStart context naming the other session and the fix", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const out = yield* w.hook(["SessionStart", "--provider", "claude-code"], {
        session_id: "h-1",
        cwd: "/home/u/b",
        hook_event_name: "SessionStart"
      })
      // A warning alone is no inbox block: the run does not count as one that showed messages.
      assert.isFalse(out.shown)
      const reply = JSON.parse(out.reply).hookSpecificOutput
      assert.strictEqual(reply.hookEventName, "SessionStart")
      const line: string = reply.additionalContext
      assert.notInclude(line, "\n")
      assert.include(line, `your label "planner" is also used by another live session`)
      assert.include(line, `codex in /home/u/a (${w.other.sessionId.slice(0, 12)})`)
      assert.include(line, "SESSION_BRIDGE_LABEL=<name>")
      assert.include(line, "`session-bridge init --label <name>`")
      assert.deepStrictEqual((yield* w.events)[0]?.data["others"], [w.other.sessionId])
      // The check belongs to session start: a prompt with nothing waiting adds nothing.
      const prompt = yield* w.hook(["UserPromptSubmit", "--provider", "claude-code"], {
        session_id: "h-1",
        cwd: "/home/u/b",
        hook_event_name: "UserPromptSubmit",
        prompt: "hi"
      })
      assert.strictEqual(prompt.reply, "")
      assert.strictEqual((yield* w.events).length, 1)
    })
  )

  it.scoped("a host that takes no context at start (opencode) gets its empty reply; the collision is logged", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const out = yield* w.hook(["SessionStart", "--provider", "opencode"], { sessionID: "ses_1", cwd: "/home/u/b" })
      assert.strictEqual(out.reply, "{}")
      const logged = yield* w.events
      assert.strictEqual(logged.length, 1)
      assert.strictEqual(logged[0]?.data["label"], "planner")
    })
  )

  it.scoped("Cursor gets the line in its sessionStart reply, before the inbox block it surfaces there", () =>
    Effect.gen(function* () {
      const w = yield* world()
      const payload = { conversation_id: "c-1", workspace_roots: ["/home/u/b"] }
      const first = yield* w.hook(["sessionStart", "--provider", "cursor"], payload)
      assert.include(JSON.parse(first.reply).additional_context, `your label "planner" is also used`)
      // A message waiting at the next start: one warning line, a blank line, then the block.
      yield* Effect.gen(function* () {
        const me = (yield* (yield* Sessions).list()).find((s) => s.record.provider === "cursor")!.record
        yield* (yield* Mailbox).send({ from: w.other, to: { sessionId: me.sessionId }, subject: "waiting" })
      }).pipe(Effect.provide(w.ctx))
      const second = yield* w.hook(["sessionStart", "--provider", "cursor"], payload)
      assert.isTrue(second.shown)
      const again = JSON.parse(second.reply)
      const [line, blank, ...rest] = (again.additional_context as string).split("\n")
      assert.include(line, "is also used by another live session")
      assert.strictEqual(blank, "")
      assert.include(rest.join("\n"), "<session-bridge-inbox>")
      assert.include(rest.join("\n"), "waiting")
    })
  )

  it.scoped("a label nobody else has gives the host's empty reply and logs nothing", () =>
    Effect.gen(function* () {
      const w = yield* world("builder")
      const out = yield* w.hook(["SessionStart", "--provider", "claude-code"], {
        session_id: "h-2",
        cwd: "/home/u/b",
        hook_event_name: "SessionStart"
      })
      assert.strictEqual(out.reply, "")
      assert.deepStrictEqual(yield* w.events, [])
    })
  )
})
