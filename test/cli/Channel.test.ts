import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { runCli } from "./harness.js"
import { cliTestLayer, seedSession } from "./layers.js"

describe("channel", () => {
  it.effect("join, list, post, history, leave", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      const joined = yield* runCli(["channel", "join", "#Release", "--as", "alice"])
      assert.strictEqual(joined.exitCode, 0, joined.stderr)
      assert.strictEqual(joined.stdout, "alice is in #release: 1 member (alice).\n")
      const mine = yield* runCli(["channel", "join", "release", "--json"])
      assert.deepStrictEqual(
        JSON.parse(mine.stdout).members.map((m: { label: string }) => m.label),
        ["alice", "tester"]
      )

      const list = yield* runCli(["channel", "list", "--as", "alice"])
      assert.match(list.stdout, /^CHANNEL\s+MEMBERS\s+JOINED\n#release\s+2\s+yes\n$/)
      yield* runCli(["channel", "join", "#other", "--as", "alice"])
      const listJson = JSON.parse((yield* runCli(["channel", "list", "--json"])).stdout)
      assert.deepStrictEqual(listJson, [
        { channel: "#other", members: 1, joined: false },
        { channel: "#release", members: 2, joined: true }
      ])

      const posted = yield* runCli(["channel", "post", "release", "cut at 5pm", "--body", "freeze main"])
      assert.match(posted.stdout, /^Sent [0-9A-Z]{26} to #release \(1 member: alice\) as tester\.\n$/)
      yield* TestClock.adjust("1 minute")
      yield* runCli(["channel", "post", "#release", "done", "--as", "alice"])
      const history = yield* runCli(["channel", "history", "#release", "--as", "alice"])
      assert.match(
        history.stdout,
        /── [0-9A-Z]{26} {2}from tester {2}1m ago {2}\(#release\)\n {3}cut at 5pm\n {3}│ freeze main\n── .* {2}from alice {2}just now {2}\(#release\)\n {3}done\n$/
      )
      const limited = JSON.parse((yield* runCli(["channel", "history", "#release", "--limit", "1", "--json"])).stdout)
      assert.deepStrictEqual(
        limited.map((m: { subject: string }) => m.subject),
        ["done"]
      )

      assert.strictEqual((yield* runCli(["channel", "leave", "#release"])).stdout, "tester left #release.\n")
      assert.strictEqual((yield* runCli(["channel", "leave", "#release"])).stdout, "tester was not in #release.\n")
      const notMember = yield* runCli(["channel", "history", "#release"])
      assert.strictEqual(notMember.exitCode, 1)
      assert.strictEqual(
        notMember.stderr,
        "error NOT_A_MEMBER: you have not joined #release\nhint: Join it first: `session-bridge channel join '#release'` (with --as to join as another session).\n"
      )
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("bad names and misuse", () =>
    Effect.gen(function* () {
      const bad = yield* runCli(["channel", "join", "#../etc"])
      assert.strictEqual(bad.exitCode, 2)
      assert.match(bad.stderr, /^error INVALID_NAME: /)
      const postNotMember = yield* runCli(["channel", "post", "#nowhere", "hi"])
      assert.match(postNotMember.stderr, /^error NOT_A_MEMBER: /)
      const noSub = yield* runCli(["channel", "frob"])
      assert.strictEqual(noSub.exitCode, 2)
      const usage = yield* runCli(["channel"])
      assert.strictEqual(usage.exitCode, 0)
      assert.match(usage.stdout, /\nUSAGE\n {2}session-bridge channel <command>\n/)
      const empty = yield* runCli(["channel", "list"])
      assert.match(empty.stdout, /No channels yet/)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
