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

  it.effect("never offers your own session: with one other live session it picks that one unasked", () =>
    Effect.gen(function* () {
      const alice = yield* seedSession("alice", "/srv/a")
      // Any command acting as the terminal's session registers it (live, labelled with the user name).
      assert.strictEqual((yield* runCli(["tail-inbox"])).exitCode, 0)
      assert.strictEqual(JSON.parse((yield* runCli(["list-sessions", "--json"])).stdout).length, 2)
      const r = yield* runCli(["select"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.strictEqual(r.stdout, `${alice.sessionId}\n`)
      const json = yield* runCli(["select", "--json"])
      assert.strictEqual(JSON.parse(json.stdout).label, "alice")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("with only your own session live there is nothing to choose", () =>
    Effect.gen(function* () {
      yield* runCli(["tail-inbox"])
      const r = yield* runCli(["select"])
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /^error SESSION_NOT_FOUND: no other live sessions to choose from\n/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("NO_COLOR (or TERM=dumb) on a terminal uses the plain numbered list, no escape sequences", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* TestClock.adjust("1 second")
      const bob = yield* seedSession("bob", "/srv/b")
      const r = yield* runCli(["select"], { tty: true, lines: ["1"] })
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.strictEqual(r.stdout, `${bob.sessionId}\n`)
      assert.match(r.stderr, /Choose a session \[1-2\]/)
      assert.notInclude(r.stderr, "\u001b")
    }).pipe(Effect.provide(cliTestLayer({ env: { NO_COLOR: "1" } })))
  )

  it.effect("Ctrl-C in the picker clears it and exits 130 with nothing on stdout", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* seedSession("bob", "/srv/b")
      yield* seedSession("carol", "/srv/c")
      const r = yield* runCli(["select"], { tty: true, keys: [] })
      assert.strictEqual(r.exitCode, 130)
      assert.strictEqual(r.stdout, "")
      // Message line plus three choices erased, cursor shown again.
      assert.isTrue(
        r.stderr.trimEnd().endsWith("\x1b[2K" + "\x1b[1A\x1b[2K".repeat(3) + "\r\x1b[?25h"),
        JSON.stringify(r.stderr.slice(-80))
      )
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
