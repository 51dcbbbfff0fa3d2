import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { Artifacts } from "../../src/bridge/Artifacts.js"
import { Channels } from "../../src/bridge/Channels.js"
import { DashboardQueries, type MessageOverview } from "../../src/bridge/DashboardQueries.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { Store } from "../../src/services/store/Store.js"
import { ulid } from "../cli/fixtures.js"
import { seed } from "../ui/fixtures.js"
import { codeOf, memoryBridge } from "./support.js"

const ids = (found: ReadonlyArray<MessageOverview>) => found.map((m) => m.envelope.id as string)

/** The dashboard's fixture, plus bob in #build and a second channel message stored for both members. */
const seeded = Effect.gen(function* () {
  const s = yield* seed
  yield* Effect.flatMap(Channels, (c) => c.join(s.bob as never, "#build"))
  const alice = Option.getOrThrow(yield* Effect.flatMap(Sessions, (x) => x.get(s.alice as never)))
  const second = yield* Effect.flatMap(Mailbox, (m) =>
    m.send({ from: alice, to: { channel: "#build" }, subject: "second on main" })
  )
  return { ...s, second: second.envelope.id as string }
})

describe("DashboardQueries", () => {
  it.effect("messages: every stored message once, newest first, with thread sizes, filtered", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      const all = yield* queries.messages({ limit: 100 })
      assert.deepStrictEqual(ids(all), [s.second, s.channelMessage, s.broadcast, s.reply, s.first])
      assert.deepStrictEqual(
        all.map((m) => m.threadSize),
        [1, 1, 1, 2, 2]
      )
      assert.deepStrictEqual(ids(yield* queries.messages({ kind: "direct", limit: 100 })), [s.reply, s.first])
      assert.deepStrictEqual(ids(yield* queries.messages({ session: s.bob, limit: 100 })), [s.second, s.reply, s.first])
      assert.deepStrictEqual(ids(yield* queries.messages({ channel: "build", limit: 1 })), [s.second])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("thread: by thread id or any message in it, oldest first; an unknown id is THREAD_NOT_FOUND", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      assert.deepStrictEqual(
        (yield* queries.thread(s.reply)).map((m) => m.id as string),
        [s.first, s.reply]
      )
      assert.deepStrictEqual(
        (yield* queries.thread(s.first)).map((m) => m.id as string),
        [s.first, s.reply]
      )
      assert.strictEqual(yield* codeOf(queries.thread(ulid(77))), "THREAD_NOT_FOUND")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("sessions: online first with unread counts; broadcasts only while live", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      const sessions = yield* queries.sessions
      assert.deepStrictEqual(
        sessions.map((x) => [x.record.label, x.online]),
        [
          ["alice", true],
          ["bob", false]
        ]
      )
      // As bob's own inbox counts them (his direct message, the channel message since he joined, the broadcast).
      const bob = sessions.find((x) => x.record.sessionId === s.bob)!
      const bobInbox = yield* Effect.flatMap(Mailbox, (m) => m.inbox(s.bob as never, { limit: 1 }))
      assert.strictEqual(bob.unread, bobInbox.unread)
      assert.isAbove(bob.unread, 0)
      assert.deepStrictEqual(
        (yield* queries.broadcasts).map((b) => b.id as string),
        [s.broadcast]
      )
      yield* TestClock.adjust("2 hours")
      assert.deepStrictEqual(yield* queries.broadcasts, [])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("channels: members with labels, message count and the newest message; a bad folder is skipped", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      yield* Effect.flatMap(Store, (store) => store.write(Layout.channelMembers("_not-a-channel"), "{}"))
      const channels = yield* queries.channels
      assert.strictEqual(channels.length, 1)
      const build = channels[0]!
      assert.strictEqual(build.channel as string, "build")
      assert.deepStrictEqual(
        build.members.map((m) => [m.sessionId as string, m.label]),
        [
          [s.alice, "alice"],
          [s.bob, "bob"]
        ]
      )
      assert.strictEqual(build.messages, 2)
      assert.strictEqual(Option.map(build.lastMessage, (m) => m.id as string).pipe(Option.getOrNull), s.second)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("artifacts: every readable meta with its poster's label; one by sha256 with its bytes", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      const stranger = yield* Effect.flatMap(Artifacts, (a) =>
        a.post({ content: { text: "from nowhere" }, postedBy: ulid(55) as never })
      )
      const artifacts = yield* queries.artifacts
      assert.deepStrictEqual(
        artifacts.map((a) => [a.meta.sha256 as string, a.postedByLabel]).sort(),
        [
          [s.png, "alice"],
          [s.text, "alice"],
          [s.html, "bob"],
          [stranger.meta.sha256 as string, undefined]
        ].sort()
      )
      const one = yield* queries.artifact(s.text)
      assert.strictEqual(new TextDecoder().decode(one.bytes), "hello artifact\n")
      assert.strictEqual(one.artifact.postedByLabel, "alice")
      assert.strictEqual(yield* codeOf(queries.artifact("0".repeat(64))), "ARTIFACT_NOT_FOUND")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("search: what any session may see, once, newest first, with thread sizes", () =>
    Effect.gen(function* () {
      const s = yield* seeded
      const queries = yield* DashboardQueries
      const found = yield* queries.search("parser plan", 10)
      assert.deepStrictEqual(ids(found), [s.reply, s.first])
      assert.deepStrictEqual(
        found.map((m) => m.threadSize),
        [2, 2]
      )
      assert.deepStrictEqual(ids(yield* queries.search("main", 1)), [s.second])
    }).pipe(Effect.provide(memoryBridge()))
  )
})
