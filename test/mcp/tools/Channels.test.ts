import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { channelHistory, joinChannel, leaveChannel, listChannels } from "../../../src/mcp/tools/ChannelTools.js"
import { listInbox, sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

describe("channels", () => {
  it.effect("join, fan-out to the other members, history, list, leave", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const carol = yield* register("carol")
      const joined = yield* call(joinChannel, alice, { channel: "#Release" })
      assert.strictEqual(joined.channel, "#release")
      yield* call(joinChannel, bob, { channel: "release" })
      const again = yield* call(joinChannel, bob, { channel: "#release" })
      assert.deepStrictEqual(
        again.members.map((m: { label: string }) => m.label),
        ["alice", "bob"]
      )
      const sent = yield* call(sendMessage, alice, { to: { channel: "#release" }, subject: "rc1 is out" })
      assert.deepStrictEqual(sent.recipients, [{ sessionId: bob.sessionId, label: "bob" }])
      const bobInbox = yield* call(listInbox, bob)
      assert.deepStrictEqual(
        bobInbox.entries.map((e: { kind: string; channel: string }) => [e.kind, e.channel]),
        [["channel", "#release"]]
      )
      assert.strictEqual((yield* call(listInbox, alice)).unread, 0)
      assert.strictEqual((yield* call(listInbox, carol)).unread, 0)
      const history = yield* call(channelHistory, bob, { channel: "#release" })
      assert.deepStrictEqual(
        history.messages.map((m: { subject: string }) => m.subject),
        ["rc1 is out"]
      )
      assert.deepStrictEqual((yield* call(listChannels, carol)).channels, [
        { channel: "#release", members: 2, joined: false }
      ])
      assert.deepStrictEqual((yield* call(listChannels, bob)).channels, [
        { channel: "#release", members: 2, joined: true }
      ])
      assert.deepStrictEqual(yield* call(leaveChannel, bob, { channel: "#release" }), {
        channel: "#release",
        left: true
      })
      assert.deepStrictEqual(yield* call(leaveChannel, bob, { channel: "#release" }), {
        channel: "#release",
        left: false
      })
      const lonely = yield* call(sendMessage, alice, { to: { channel: "#release" }, subject: "anyone?" })
      assert.deepStrictEqual(lonely.recipients, [])
      assert.strictEqual((yield* call(listInbox, bob)).unread, 1)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("history keeps the most recent `limit`, oldest first; members only", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      yield* call(joinChannel, alice, { channel: "#ops" })
      for (const subject of ["a", "b", "c"]) yield* call(sendMessage, alice, { to: { channel: "#ops" }, subject })
      const recent = yield* call(channelHistory, alice, { channel: "#ops", limit: 2 })
      assert.deepStrictEqual(
        recent.messages.map((m: { subject: string }) => m.subject),
        ["b", "c"]
      )
      assert.strictEqual(yield* codeOf(call(channelHistory, bob, { channel: "#ops" })), "NOT_A_MEMBER")
      assert.strictEqual(
        yield* codeOf(call(sendMessage, bob, { to: { channel: "#ops" }, subject: "hi" })),
        "NOT_A_MEMBER"
      )
      // Joining later shows the whole history.
      yield* call(joinChannel, bob, { channel: "#ops" })
      assert.strictEqual((yield* call(channelHistory, bob, { channel: "#ops" })).messages.length, 3)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("hostile channel names are INVALID_NAME", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      for (const channel of ["../x", "#../x", "a/b", "x\u0000y", "", "#", "/abs", "-lead", "x".repeat(65), "sp ace"]) {
        assert.strictEqual(
          yield* codeOf(call(joinChannel, alice, { channel })),
          "INVALID_NAME",
          JSON.stringify(channel)
        )
        assert.strictEqual(yield* codeOf(call(sendMessage, alice, { to: { channel }, subject: "x" })), "INVALID_NAME")
      }
      assert.deepStrictEqual((yield* call(listChannels, alice)).channels, [])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a full member inbox refuses the whole post: nothing partially delivered", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const carol = yield* register("carol")
      for (const who of [alice, bob, carol]) yield* call(joinChannel, who, { channel: "#team" })
      for (let i = 0; i < 2; i++) yield* call(sendMessage, alice, { to: { label: "carol" }, subject: `d${i}` })
      assert.strictEqual(
        yield* codeOf(call(sendMessage, alice, { to: { channel: "#team" }, subject: "all" })),
        "BACKLOG_FULL"
      )
      assert.strictEqual((yield* call(listInbox, bob)).unread, 0)
      assert.strictEqual((yield* call(channelHistory, bob, { channel: "#team" })).messages.length, 0)
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_MAX_BACKLOG: "2" } })))
  )
})
