import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { runCli } from "./harness.js"
import { cliTestLayer, seedSession } from "./layers.js"

describe("list-sessions", () => {
  it.effect("prints a table of live sessions, newest first, with relative last-seen", () =>
    Effect.gen(function* () {
      yield* seedSession("planner", "/home/tester/repo-a")
      yield* TestClock.adjust("2 minutes")
      yield* seedSession("builder", "/srv/repo-b", "codex")
      const r = yield* runCli(["list-sessions"])
      assert.strictEqual(r.exitCode, 0)
      const lines = r.stdout.trimEnd().split("\n")
      assert.match(lines[0]!, /^ID\s+LABEL\s+PROVIDER\s+CWD\s+LAST SEEN\s+ONLINE\s+SUMMARY$/)
      assert.match(lines[1]!, /builder\s+codex\s+\/srv\/repo-b\s+just now\s+yes/)
      assert.match(lines[2]!, /planner\s+claude-code\s+~\/repo-a\s+2m ago\s+yes/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("hides offline sessions unless --all, and says so when none are live", () =>
    Effect.gen(function* () {
      yield* seedSession("old", "/srv/old")
      yield* TestClock.adjust("11 minutes")
      const live = yield* runCli(["list-sessions"])
      assert.match(live.stdout, /No live sessions/)
      const all = yield* runCli(["list-sessions", "--all"])
      assert.match(all.stdout, /old\s+claude-code\s+\/srv\/old\s+11m ago\s+no/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--json prints the bridge_list_sessions fields", () =>
    Effect.gen(function* () {
      const rec = yield* seedSession("planner", "/srv/a")
      yield* Effect.flatMap(Sessions, (s) => s.setSummary(rec.sessionId, "planning the refactor"))
      const r = yield* runCli(["list-sessions", "--json"])
      const parsed = JSON.parse(r.stdout)
      assert.deepStrictEqual(parsed, [
        {
          sessionId: rec.sessionId,
          label: "planner",
          cwd: "/srv/a",
          provider: "claude-code",
          lastSeen: "1970-01-01T00:00:00.000Z",
          online: true,
          summary: "planning the refactor"
        }
      ])
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("an unknown option is a usage error: exit 2, nothing on stdout", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["list-sessions", "--bogus"])
      assert.strictEqual(r.exitCode, 2)
      assert.strictEqual(r.stdout, "")
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("select", () => {
  it.effect("with one match prints its id without asking", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      const bob = yield* seedSession("bob", "/srv/b")
      const r = yield* runCli(["select", "--label", "BO"])
      assert.strictEqual(r.exitCode, 0)
      assert.strictEqual(r.stdout, `${bob.sessionId}\n`)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("without a TTY shows a numbered list on stderr and reads the choice", () =>
    Effect.gen(function* () {
      const alice = yield* seedSession("alice", "/srv/a")
      yield* TestClock.adjust("1 second")
      yield* seedSession("bob", "/srv/b")
      const r = yield* runCli(["select"], { lines: ["2"] })
      assert.strictEqual(r.exitCode, 0)
      assert.strictEqual(r.stdout, `${alice.sessionId}\n`)
      assert.match(r.stderr, /1\s+\S+\s+bob/)
      assert.match(r.stderr, /Choose a session \[1-2\]/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a choice out of range is a usage error", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* seedSession("bob", "/srv/b")
      const r = yield* runCli(["select"], { lines: ["7"] })
      assert.strictEqual(r.exitCode, 2)
      assert.strictEqual(r.stdout, "")
      assert.match(r.stderr, /error INVALID_ARGUMENT: not a choice: "7"/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("on a TTY uses the arrow-key picker", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* TestClock.adjust("1 second")
      const bob = yield* seedSession("bob", "/srv/b")
      yield* TestClock.adjust("1 second")
      yield* seedSession("carol", "/srv/c")
      const r = yield* runCli(["select", "--json"], { tty: true, keys: ["down", "down", "up", "return"] })
      assert.strictEqual(r.exitCode, 0)
      assert.strictEqual(JSON.parse(r.stdout).sessionId, bob.sessionId)
      assert.match(r.stderr, /Pick a session/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("no live session is a domain error with its code", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["select", "--label", "nobody"])
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /^error SESSION_NOT_FOUND: no live session has a label containing "nobody"\nhint: /)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
