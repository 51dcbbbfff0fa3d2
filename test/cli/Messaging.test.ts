import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { Store } from "../../src/services/store/Store.js"
import { runCli, settle, startCli } from "./harness.js"
import { cliTestLayer, seedSession } from "./layers.js"

const inboxOf = (sessionId: string) =>
  Effect.flatMap(Mailbox, (m) => m.inbox(sessionId as never, { all: true })).pipe(
    Effect.map((l) => l.entries.map((e) => e.envelope))
  )

describe("send-message", () => {
  it.effect("`--as=alice bob subject --body ping` sends as the session labelled alice", () =>
    Effect.gen(function* () {
      const alice = yield* seedSession("alice", "/srv/a")
      const bob = yield* seedSession("bob", "/srv/b")
      const r = yield* runCli(["send-message", "--as=alice", "bob", "subject", "--body", "ping"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.strictEqual(
        r.stdout.replace(/^Sent [0-9A-Z]{26} /, "Sent <id> "),
        `Sent <id> to bob (claude-code, /srv/b, ${bob.sessionId.slice(0, 12)}) as alice.\n`
      )
      const [got] = yield* inboxOf(bob.sessionId)
      assert.strictEqual(got?.from.sessionId, alice.sessionId)
      assert.strictEqual(got?.subject, "subject")
      assert.strictEqual(got?.body, "ping")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a label two live sessions share: the output names the one reached and says the newest was chosen", () =>
    Effect.gen(function* () {
      yield* seedSession("planner", "/srv/a", "codex")
      yield* TestClock.adjust("1 second")
      const newer = yield* seedSession("planner", "/srv/b")
      const r = yield* runCli(["send-message", "planner", "hello"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const short = newer.sessionId.slice(0, 12)
      assert.include(r.stdout, `to planner (claude-code, /srv/b, ${short}) as tester.`)
      assert.include(r.stdout, 'Note: label "planner" matched 2 live sessions; the newest was chosen')
      const json = JSON.parse((yield* runCli(["send-message", "planner", "again", "--json"])).stdout)
      assert.deepStrictEqual(json.reached, {
        sessionId: newer.sessionId,
        shortId: short,
        label: "planner",
        provider: "claude-code",
        cwd: "/srv/b"
      })
      assert.deepStrictEqual(json.ambiguous, {
        by: "label",
        value: "planner",
        matches: 2,
        online: true,
        chosen: "newest"
      })
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("without --as the sender is the user's own CLI session, reused across runs", () =>
    Effect.gen(function* () {
      const bob = yield* seedSession("bob", "/srv/b")
      const one = JSON.parse((yield* runCli(["send-message", "bob", "one", "--json"])).stdout)
      const two = JSON.parse((yield* runCli(["send-message", "bob", "two", "--json"])).stdout)
      assert.deepStrictEqual(one.recipients, [{ sessionId: bob.sessionId, label: "bob" }])
      const got = yield* inboxOf(bob.sessionId)
      assert.strictEqual(got.length, 2)
      assert.strictEqual(got[0]!.from.label, "tester")
      assert.strictEqual(got[0]!.from.provider, "cli")
      assert.strictEqual(got[0]!.from.sessionId, got[1]!.from.sessionId)
      assert.notStrictEqual(one.messageId, two.messageId)
      const cli = (yield* Effect.flatMap(Sessions, (s) => s.list())).filter((s) => s.record.provider === "cli")
      assert.strictEqual(cli.length, 1)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("addresses by cwd, full id, id prefix and #channel", () =>
    Effect.gen(function* () {
      const bob = yield* seedSession("bob", "/srv/b")
      yield* TestClock.adjust("1 second")
      yield* runCli(["send-message", "/srv/b", "by cwd"])
      yield* runCli(["send-message", bob.sessionId.toLowerCase(), "by id"])
      yield* runCli(["send-message", bob.sessionId.slice(0, 10).toLowerCase(), "by prefix"])
      yield* runCli(["channel", "join", "#dev", "--as", "bob"])
      yield* runCli(["channel", "join", "dev"])
      const posted = yield* runCli(["send-message", "#dev", "by channel"])
      assert.match(posted.stdout, /to #dev \(1 member: bob\)/)
      const subjects = (yield* inboxOf(bob.sessionId)).map((e) => e.subject).sort()
      assert.deepStrictEqual(subjects, ["by channel", "by cwd", "by id", "by prefix"])
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("reads the body from stdin only with --body-file -, or from a file, and attaches --artifact files", () =>
    Effect.gen(function* () {
      const bob = yield* seedSession("bob", "/srv/b")
      yield* runCli(["send-message", "bob", "piped", "--body-file", "-"], { stdin: "from stdin\n" })
      yield* runCli(["send-message", "bob", "unasked"], { stdin: "not for this command\n" })
      const files = { "/work/project/notes.md": "# notes\n", "/data/blob.bin": new Uint8Array([0, 255, 1]) }
      const r = yield* runCli(
        [
          "send-message",
          "bob",
          "filed",
          "--body-file",
          "notes.md",
          "--artifact",
          "notes.md",
          "--artifact",
          "/data/blob.bin",
          "--json"
        ],
        { files }
      )
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const sent = JSON.parse(r.stdout)
      assert.strictEqual(sent.artifacts.length, 2)
      const got = yield* inboxOf(bob.sessionId)
      const piped = got.find((e) => e.subject === "piped")
      const filed = got.find((e) => e.subject === "filed")
      assert.strictEqual(piped?.body, "from stdin\n")
      assert.strictEqual(got.find((e) => e.subject === "unasked")?.body, "")
      assert.strictEqual(filed?.body, "# notes\n")
      const store = yield* Store
      const bytes = yield* store.read(Layout.artifactBytes(sent.artifacts[1]))
      assert.deepStrictEqual(
        Option.map(bytes, (b) => [...b]),
        Option.some([0, 255, 1])
      )
      const meta = JSON.parse(Option.getOrThrow(yield* store.readText(Layout.artifactMeta(sent.artifacts[0]))))
      assert.strictEqual(meta.name, "notes.md")
      assert.strictEqual(meta.mimeType, "text/markdown; charset=utf-8")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--reply-to threads the reply", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* seedSession("bob", "/srv/b")
      const first = JSON.parse((yield* runCli(["send-message", "--as", "alice", "bob", "question", "--json"])).stdout)
      const reply = JSON.parse(
        (yield* runCli(["send-message", "--as", "bob", "alice", "answer", "--reply-to", first.messageId, "--json"]))
          .stdout
      )
      assert.strictEqual(reply.threadId, first.messageId)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("errors print the code and hint and exit 1; misuse exits 2", () =>
    Effect.gen(function* () {
      yield* seedSession("bob", "/srv/b")
      const nobody = yield* runCli(["send-message", "carol", "hi"])
      assert.strictEqual(nobody.exitCode, 1)
      assert.match(nobody.stderr, /^error RECIPIENT_NOT_FOUND: no session matches label "carol"\nhint: .+\n$/)
      assert.strictEqual(nobody.stdout, "")
      const prefixLike = yield* runCli(["send-message", "nobody1", "hi"])
      assert.match(prefixLike.stderr, /^error RECIPIENT_NOT_FOUND: no session matches label "nobody1"/)
      const notMember = yield* runCli(["send-message", "#dev", "hi"])
      assert.match(notMember.stderr, /^error NOT_A_MEMBER: /)
      const big = yield* runCli(["send-message", "bob", "big", "--body-file", "-"], {
        stdin: "x".repeat(64 * 1024 + 1)
      })
      assert.match(big.stderr, /^error BODY_TOO_LARGE: /)
      const bigFile = yield* runCli(["send-message", "bob", "big", "--body-file", "/big"], {
        files: { "/big": "y".repeat(70_000) }
      })
      assert.match(bigFile.stderr, /^error BODY_TOO_LARGE: body file is 70000 bytes/)
      const missing = yield* runCli(["send-message", "bob", "s", "--artifact", "/nope"])
      assert.match(missing.stderr, /^error INVALID_ARGUMENT: cannot read artifact \/nope/)
      const asWho = yield* runCli(["send-message", "--as", "ghost", "bob", "s"])
      assert.match(asWho.stderr, /^error SESSION_NOT_FOUND: --as "ghost"/)
      const both = yield* runCli(["send-message", "bob", "s", "--body", "a", "--body-file", "/x"])
      assert.strictEqual(both.exitCode, 2)
      assert.match(both.stderr, /^error INVALID_ARGUMENT: --body and --body-file cannot both be given/)
      const missingArg = yield* runCli(["send-message", "bob"])
      assert.strictEqual(missingArg.exitCode, 2)
      const emptySubject = yield* runCli(["send-message", "bob", " "])
      assert.match(emptySubject.stderr, /^error INVALID_ARGUMENT: subject is empty/)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("broadcast", () => {
  it.effect("posts a broadcast with a TTL; out-of-range TTL is INVALID_ARGUMENT", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["broadcast", "deploy at 5", "--body", "freeze", "--ttl", "120", "--json"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const out = JSON.parse(r.stdout)
      assert.strictEqual(out.expiresAt, "1970-01-01T00:02:00.000Z")
      const text = yield* runCli(["broadcast", "hello"])
      assert.match(text.stdout, /^Broadcast [0-9A-Z]{26} as tester; expires in 1h/)
      const bad = yield* runCli(["broadcast", "x", "--ttl", "0"])
      assert.strictEqual(bad.exitCode, 2)
      assert.match(bad.stderr, /^error INVALID_ARGUMENT: ttlSec must be/)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("tail-inbox", () => {
  it.effect("prints unread messages; --json gives one JSON object per line", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      assert.strictEqual((yield* runCli(["tail-inbox"])).stdout, "No unread messages for tester.\n")
      yield* runCli(["send-message", "--as", "alice", "tester", "first", "--body", "line 1\nline 2"])
      yield* runCli(["send-message", "--as", "alice", "tester", "second"])
      const r = yield* runCli(["tail-inbox"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.match(
        r.stdout,
        /── [0-9A-Z]{26} {2}from alice {2}just now {2}\(direct, unread\)\n {3}first\n {3}│ line 1\n {3}│ line 2\n── .*\n {3}second\n$/
      )
      const json = (yield* runCli(["tail-inbox", "--json"])).stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
      assert.deepStrictEqual(
        json.map((j) => j.subject),
        ["first", "second"]
      )
      assert.strictEqual(json[0].body, "line 1\nline 2")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--follow prints messages that arrive later, and only those; Ctrl-C exits 0", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* runCli(["tail-inbox"])
      yield* runCli(["send-message", "--as", "alice", "tester", "before"])
      const follower = yield* startCli(["tail-inbox", "--follow", "--json"])
      yield* settle
      assert.deepStrictEqual(
        follower
          .stdout()
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).subject),
        ["before"]
      )
      yield* runCli(["send-message", "--as", "alice", "tester", "after"])
      yield* runCli(["broadcast", "--as", "alice", "announcement"])
      yield* settle
      const subjects = follower
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).subject)
      assert.deepStrictEqual(subjects, ["before", "after", "announcement"])
      const done = yield* follower.interrupt
      assert.strictEqual(done.exitCode, 0)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("an interrupted command other than tail-inbox --follow exits 130", () =>
    Effect.gen(function* () {
      const run = yield* startCli(["select"], { tty: true })
      const done = yield* run.interrupt
      assert.strictEqual(done.exitCode, 130)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("an unknown --as is SESSION_NOT_FOUND", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["tail-inbox", "--as", "nobody"])
      assert.strictEqual(r.exitCode, 1)
      assert.match(r.stderr, /^error SESSION_NOT_FOUND/)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("search", () => {
  it.effect("finds visible messages, newest first; limits; bad queries are errors", () =>
    Effect.gen(function* () {
      yield* seedSession("alice", "/srv/a")
      yield* runCli(["search", "anything"])
      yield* runCli(["send-message", "--as", "alice", "tester", "release plan", "--body", "ship on friday"])
      yield* TestClock.adjust("1 second")
      yield* runCli(["send-message", "--as", "alice", "tester", "lunch", "--body", "friday lunch?"])
      const r = yield* runCli(["search", "friday"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      const lines = r.stdout.trimEnd().split("\n")
      assert.match(lines[0]!, /^ID\s+WHEN\s+WHERE\s+FROM\s+SUBJECT$/)
      assert.match(lines[1]!, /lunch {2}— friday lunch\?/)
      assert.match(lines[2]!, /release plan {2}— ship on friday/)
      const limited = JSON.parse((yield* runCli(["search", "friday", "--limit", "1", "--json"])).stdout)
      assert.deepStrictEqual(
        limited.map((h: { subject: string }) => h.subject),
        ["lunch"]
      )
      const none = yield* runCli(["search", "--as", "alice", "friday"])
      assert.match(none.stdout, /No messages visible to alice match "friday"/)
      const bad = yield* runCli(["search", "x", "--limit", "0"])
      assert.match(bad.stderr, /^error INVALID_ARGUMENT: limit must be/)
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
