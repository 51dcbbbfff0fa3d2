import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { Channels } from "../../src/bridge/Channels.js"
import { ChannelName } from "../../src/domain/Names.js"
import { Layout } from "../../src/domain/Layout.js"
import { runCli } from "./harness.js"
import { envelopeJson, exists, putArtifact, putFile, SESSION_A, SESSION_B, sha, ulid } from "./fixtures.js"
import { cliTestLayer, seedSession } from "./layers.js"

const DAY = 86_400_000

describe("inspect", () => {
  it.effect("a session id shows the decoded record and where it lives", () =>
    Effect.gen(function* () {
      const rec = yield* seedSession("planner", "/srv/a")
      const r = yield* runCli(["inspect", rec.sessionId])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, new RegExp(`^session  memory:/sessions/${rec.sessionId}\\.json\\n`))
      assert.match(r.stdout, /"label": "planner"/)
      const json = JSON.parse((yield* runCli(["inspect", rec.sessionId.slice(0, 12).toLowerCase(), "--json"])).stdout)
      assert.strictEqual(json[0].record.sessionId, rec.sessionId)
      assert.strictEqual(json[0].path, `sessions/${rec.sessionId}.json`)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a message id finds every stored copy", () =>
    Effect.gen(function* () {
      const id = ulid(10)
      yield* putFile(Layout.inboxMessage(SESSION_B, id), envelopeJson({ id, subject: "plan" }))
      yield* putFile(Layout.inboxMessage(SESSION_A, id), envelopeJson({ id, subject: "plan" }))
      yield* putFile(
        Layout.messageRef(id),
        JSON.stringify({ v: 1, path: Layout.inboxMessage(SESSION_B, id), threadId: id })
      )
      const r = yield* runCli(["inspect", id, "--json"])
      const found = JSON.parse(r.stdout) as Array<{
        path: string
        kind: string
        record: { subject?: string; path?: string }
      }>
      assert.deepStrictEqual(
        found.map((f) => [f.kind, f.path]),
        [
          ["message", Layout.inboxMessage(SESSION_A, id)],
          ["message", Layout.inboxMessage(SESSION_B, id)],
          ["message ref", Layout.messageRef(id)]
        ]
      )
      assert.strictEqual(found[0]!.record.subject, "plan")
      assert.strictEqual(found[2]!.record.path, Layout.inboxMessage(SESSION_B, id))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a sha256 shows the artifact meta and bytes", () =>
    Effect.gen(function* () {
      yield* putArtifact(sha("a"), "hello")
      const r = yield* runCli(["inspect", sha("a").toUpperCase()])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /artifact meta {2}memory:\/artifacts\/a{64}\.meta\.json/)
      assert.match(r.stdout, /artifact bytes {2}memory:\/artifacts\/a{64}\.bin\n {2}5 B/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a corrupt file is shown with why it does not decode, and left where it is", () =>
    Effect.gen(function* () {
      const path = Layout.broadcast(ulid(11))
      yield* putFile(path, "{not json")
      const rel = yield* runCli(["inspect", path])
      assert.strictEqual(rel.exitCode, 0)
      assert.match(rel.stdout, /^broadcast .*\n.*\n {2}does not decode: /)
      assert.match(rel.stdout, /\{not json/)
      assert.isTrue(yield* exists(path))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("unknown ids, unknown shas and paths outside the home are errors with codes", () =>
    Effect.gen(function* () {
      const a = yield* runCli(["inspect", ulid(99)])
      assert.strictEqual(a.exitCode, 1)
      assert.match(a.stderr, /^error MESSAGE_NOT_FOUND: /)
      const b = yield* runCli(["inspect", sha("b")])
      assert.match(b.stderr, /^error ARTIFACT_NOT_FOUND: /)
      const c = yield* runCli(["inspect", "/etc/passwd"])
      assert.match(c.stderr, /^error INVALID_ARGUMENT: \/etc\/passwd is not under the bridge home/)
      const d = yield* runCli(["inspect", "../../etc/passwd"])
      assert.strictEqual(d.exitCode, 2)
      assert.match(d.stderr, /^error INVALID_ARGUMENT: nothing stored at/)
      assert.strictEqual(d.stdout, "")
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("gc", () => {
  const seedStore = Effect.gen(function* () {
    // t = 0: an old session with an inbox, a pointer and a referenced artifact; an unreferenced artifact.
    const old = yield* seedSession("old", "/srv/old")
    yield* putFile(
      Layout.inboxMessage(old.sessionId, ulid(20)),
      envelopeJson({ id: ulid(20), to: old.sessionId, artifacts: [sha("c")] })
    )
    yield* putFile(
      Layout.pointer("cwd-old"),
      JSON.stringify({ v: 1, sessionId: old.sessionId, updatedAt: "1970-01-01T00:00:00.000Z" })
    )
    yield* Effect.flatMap(Channels, (c) => c.join(old.sessionId, "#dev"))
    yield* putArtifact(sha("c"), "only the old inbox refers to me")
    yield* putArtifact(sha("d"), "nobody refers to me")
    yield* putArtifact(sha("e"), "a live broadcast refers to me")
    yield* TestClock.adjust(8 * DAY)
    // t = 8 days: a recent session, one expired and one live broadcast, a fresh unreferenced artifact, locks.
    const recent = yield* seedSession("recent", "/srv/recent")
    yield* Effect.flatMap(Channels, (c) => c.join(recent.sessionId, "#dev"))
    const now = 8 * DAY
    yield* putFile(
      Layout.broadcast(ulid(21)),
      envelopeJson({ id: ulid(21), kind: "broadcast", expiresAtMs: now - 1000 })
    )
    yield* putFile(Layout.readMarker(recent.sessionId, ulid(21)), "")
    yield* putFile(
      Layout.broadcast(ulid(22)),
      envelopeJson({ id: ulid(22), kind: "broadcast", expiresAtMs: now + 60_000, artifacts: [sha("e")] })
    )
    yield* putArtifact(sha("f"), "posted a moment ago, not sent yet")
    yield* putFile("locks/dead.lock", JSON.stringify({ pid: 999_999, token: "t", at: now }))
    yield* putFile("locks/held.lock", JSON.stringify({ pid: 4242, token: "t", at: now }))
    return { old, recent }
  })

  it.effect("--dry-run lists what would go and changes nothing", () =>
    Effect.gen(function* () {
      const { old } = yield* seedStore
      const r = yield* runCli(["gc", "--dry-run"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /expired broadcasts/)
      assert.match(r.stdout, /Would remove \d+ entries, would free \d/)
      assert.isTrue(yield* exists(Layout.broadcast(ulid(21))))
      assert.isTrue(yield* exists(Layout.session(old.sessionId)))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("removes expired broadcasts, long-offline sessions, stale locks and unreferenced artifacts", () =>
    Effect.gen(function* () {
      const { old, recent } = yield* seedStore
      const r = yield* runCli(["gc", "--json"])
      assert.strictEqual(r.exitCode, 0)
      const report = JSON.parse(r.stdout) as {
        dryRun: boolean
        bytesFreed: number
        removed: Array<{ kind: string; path: string }>
      }
      assert.isFalse(report.dryRun)
      assert.isAbove(report.bytesFreed, 0)
      const gone = [
        Layout.broadcast(ulid(21)),
        Layout.readMarker(recent.sessionId, ulid(21)),
        Layout.session(old.sessionId),
        Layout.inboxMessage(old.sessionId, ulid(20)),
        Layout.pointer("cwd-old"),
        Layout.artifactBytes(sha("c")),
        Layout.artifactMeta(sha("c")),
        Layout.artifactBytes(sha("d")),
        "locks/dead.lock"
      ]
      const kept = [
        Layout.broadcast(ulid(22)),
        Layout.session(recent.sessionId),
        Layout.artifactBytes(sha("e")),
        Layout.artifactBytes(sha("f")),
        "locks/held.lock"
      ]
      for (const p of gone) assert.isFalse(yield* exists(p), `${p} should be removed`)
      for (const p of kept) assert.isTrue(yield* exists(p), `${p} should be kept`)
      assert.deepStrictEqual(yield* Effect.flatMap(Channels, (c) => c.members(Schema.decodeSync(ChannelName)("dev"))), [
        recent.sessionId
      ])
      assert.isTrue(report.removed.some((r) => r.kind === "membership"))
      const again = yield* runCli(["gc"])
      assert.strictEqual(again.stdout, "Nothing to collect.\n")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--offline-days changes the session threshold; a bad value is a usage error", () =>
    Effect.gen(function* () {
      const { old } = yield* seedStore
      yield* runCli(["gc", "--offline-days", "30"])
      assert.isTrue(yield* exists(Layout.session(old.sessionId)))
      assert.strictEqual((yield* runCli(["gc", "--offline-days", "0"])).exitCode, 2)
      assert.strictEqual((yield* runCli(["gc", "--offline-days", "soon"])).exitCode, 2)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("shows a progress line on a terminal when the store holds many messages", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 1000; i++) {
        yield* putFile(Layout.inboxMessage(SESSION_B, ulid(1000 + i)), envelopeJson({ id: ulid(1000 + i) }))
      }
      const quiet = yield* runCli(["gc", "--dry-run"])
      assert.notInclude(quiet.stderr, "scanned")
      const r = yield* runCli(["gc", "--dry-run"], { tty: true })
      assert.strictEqual(r.exitCode, 0)
      assert.include(r.stderr, "\rgc: scanned 250/1000 messages")
      assert.include(r.stderr, "\rgc: scanned 1000/1000 messages\n")
    }).pipe(Effect.provide(cliTestLayer()))
  )
})

describe("purge", () => {
  const seed = Effect.gen(function* () {
    yield* seedSession("a", "/srv/a")
    yield* putFile(Layout.inboxMessage(SESSION_B, ulid(30)), envelopeJson({ id: ulid(30) }))
    yield* putArtifact(sha("a"), "bytes")
  })

  it.effect("without --yes and without a terminal refuses with a usage error and deletes nothing", () =>
    Effect.gen(function* () {
      yield* seed
      const r = yield* runCli(["purge"])
      assert.strictEqual(r.exitCode, 2)
      assert.match(r.stderr, /^error INVALID_ARGUMENT: purge needs confirmation.*\nhint: Pass --yes/)
      assert.isTrue(yield* exists(Layout.inboxMessage(SESSION_B, ulid(30))))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--yes deletes everything and says how much", () =>
    Effect.gen(function* () {
      yield* seed
      const r = yield* runCli(["purge", "--yes", "--json"])
      assert.strictEqual(r.exitCode, 0)
      const out = JSON.parse(r.stdout)
      assert.deepInclude(out.deleted, { sessions: 1, inboxMessages: 1, artifacts: 1 })
      assert.isFalse(yield* exists(Layout.inboxMessage(SESSION_B, ulid(30))))
      assert.isFalse(yield* exists(Layout.artifactBytes(sha("a"))))
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--yes keeps the install records (installs/) and says so; they are not counted as deleted", () =>
    Effect.gen(function* () {
      yield* seed
      yield* putFile("installs/codex.json", "{}")
      yield* putFile("installs/backups/codex/0123-config.toml", "model = 1")
      const r = yield* runCli(["purge", "--yes"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /Kept the install records \(installs\/\): host CLI configs are untouched/)
      assert.isTrue(yield* exists("installs/codex.json"))
      assert.isTrue(yield* exists("installs/backups/codex/0123-config.toml"))
      assert.isFalse(yield* exists(Layout.artifactBytes(sha("a"))))
      const json = JSON.parse((yield* runCli(["purge", "--yes", "--json"])).stdout)
      assert.strictEqual(json.keptInstallRecords, 2)
      assert.strictEqual(json.deleted.files, 0)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("on a terminal it names what goes and asks; declining keeps everything", () =>
    Effect.gen(function* () {
      yield* seed
      const no = yield* runCli(["purge"], { tty: true, keys: ["n"] })
      assert.strictEqual(no.exitCode, 0)
      assert.match(
        no.stderr,
        /This deletes everything under memory: but the install records: 1 session, 1 inbox message, 0 broadcasts, 0 channels, 1 artifact/
      )
      assert.match(no.stderr, /Nothing deleted/)
      assert.isTrue(yield* exists(Layout.artifactBytes(sha("a"))))
      const yes = yield* runCli(["purge"], { tty: true, keys: ["y"] })
      assert.strictEqual(yes.exitCode, 0)
      assert.match(yes.stdout, /^Deleted \d+ files/)
      assert.isFalse(yield* exists(Layout.artifactBytes(sha("a"))))
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
