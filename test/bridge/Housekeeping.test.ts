import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema, TestClock } from "effect"
import { Artifacts } from "../../src/bridge/Artifacts.js"
import { Broadcasts } from "../../src/bridge/Broadcasts.js"
import { Channels } from "../../src/bridge/Channels.js"
import { DEFAULT_GC, Housekeeping, inventoryOf, type Removal } from "../../src/bridge/Housekeeping.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { indexPath } from "../../src/bridge/SearchIndexFile.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { encodeStamp, stampPath, watchedDirs } from "../../src/domain/HookStamp.js"
import { CLOUD_OUTBOX_DIR, Layout } from "../../src/domain/Layout.js"
import { ChannelName } from "../../src/domain/Names.js"
import { Store } from "../../src/services/store/Store.js"
import { codeOf, memoryBridge, register } from "./support.js"

const DAY = 86_400_000
const noProgress = () => Effect.void
const plan = (offlineMs = DEFAULT_GC.offlineMs) =>
  Effect.flatMap(Housekeeping, (h) => h.planGc({ ...DEFAULT_GC, offlineMs }, noProgress))
const exists = (path: string) => Effect.flatMap(Store, (s) => Effect.map(s.stat(path), Option.isSome))
const lockBody = (pid: number, at: number) => JSON.stringify({ pid, token: `t${pid}`, at })

/**
 * t = 0: "old" and "keep" exchange messages (each with an artifact), "old" joins #dev and posts a broadcast
 * "keep" reads, and an artifact nobody sends is posted. t = 8 days: "keep" is seen again, a fresh unsent
 * artifact is posted, a dead holder's lock and a live one are in place.
 */
const seedStore = Effect.gen(function* () {
  const mailbox = yield* Mailbox
  const artifacts = yield* Artifacts
  const store = yield* Store
  const old = yield* register("old")
  const keep = yield* register("keep")
  const post = (text: string, by = old) =>
    Effect.map(artifacts.post({ content: { text }, postedBy: by.sessionId }), (p) => p.meta.sha256 as string)
  const toKeep = yield* post("old to keep")
  const toOld = yield* post("keep to old", keep)
  const unsent = yield* post("nobody sends me")
  const kept = yield* mailbox.send({ from: old, to: { sessionId: keep.sessionId }, subject: "hi", artifacts: [toKeep] })
  const lost = yield* mailbox.send({ from: keep, to: { sessionId: old.sessionId }, subject: "yo", artifacts: [toOld] })
  yield* Effect.flatMap(Channels, (c) => c.join(old.sessionId, "#dev"))
  yield* Effect.flatMap(Channels, (c) => c.join(keep.sessionId, "#dev"))
  const broadcast = yield* Effect.flatMap(Broadcasts, (b) => b.post({ from: old, subject: "freeze", ttlSec: 3600 }))
  yield* mailbox.markRead(keep.sessionId, [kept.envelope.id, broadcast.id])
  yield* TestClock.adjust(8 * DAY)
  yield* Effect.flatMap(Sessions, (x) => x.touch(keep.sessionId))
  const fresh = yield* post("posted a moment ago", keep)
  yield* store.write(`${Layout.locksDir}/dead.lock`, lockBody(999_999, 8 * DAY))
  yield* store.write(`${Layout.locksDir}/held.lock`, lockBody(4242, 8 * DAY))
  for (const who of [old, keep]) yield* store.write(indexPath(Layout.inboxDir(who.sessionId)), "search index")
  return { old, keep, toKeep, toOld, unsent, fresh, kept: kept.envelope.id, lost: lost.envelope.id, broadcast }
})

const byPath = (removals: ReadonlyArray<Removal>) => new Map(removals.map((r) => [r.path, r]))

describe("Housekeeping gc", () => {
  it.effect("plans stale sessions, expired read broadcasts, orphaned artifacts, dead refs and a stale lock", () =>
    Effect.gen(function* () {
      const s = yield* seedStore
      const removals = yield* plan()
      const found = byPath(removals)
      const expect = (path: string, kind: Removal["kind"], reason: RegExp) => {
        const r = found.get(path)
        assert.isDefined(r, `${path} should be planned`)
        assert.strictEqual(r!.kind, kind, path)
        assert.match(r!.reason, reason, path)
      }
      expect(Layout.session(s.old.sessionId), "session", /^session old offline for 8 days$/)
      expect(Layout.inboxDir(s.old.sessionId), "session", /offline/)
      expect(indexPath(Layout.inboxDir(s.old.sessionId)), "session", /offline/)
      assert.isFalse(found.has(indexPath(Layout.inboxDir(s.keep.sessionId))), "a live session's search index stays")
      assert.isTrue(found.get(Layout.inboxDir(s.old.sessionId))!.tree)
      assert.isAbove(found.get(Layout.inboxDir(s.old.sessionId))!.bytes, 0)
      expect(Layout.broadcast(s.broadcast.id), "broadcast", /^expired /)
      expect(Layout.readMarker(s.keep.sessionId, s.broadcast.id), "broadcast", /marker of an expired broadcast/)
      expect(Layout.artifactBytes(s.toOld), "artifact", /no message references it/)
      expect(Layout.artifactMeta(s.toOld), "artifact", /no message references it/)
      expect(Layout.artifactBytes(s.unsent), "artifact", /no message references it/)
      expect(Layout.messageRef(s.lost), "ref", /its message is gone/)
      expect(`${Layout.locksDir}/dead.lock`, "lock", /^holder pid 999999 is gone$/)
      const membership = removals.filter((r) => r.kind === "membership")
      assert.deepStrictEqual(
        membership.map((r) => r.member),
        [{ sessionId: s.old.sessionId, channel: "dev" }]
      )
      // What a live session still holds stays, read or not; so do fresh artifacts and a live holder's lock.
      for (const path of [
        Layout.session(s.keep.sessionId),
        Layout.inboxMessage(s.keep.sessionId, s.kept),
        Layout.readMarker(s.keep.sessionId, s.kept),
        Layout.messageRef(s.kept),
        Layout.artifactBytes(s.toKeep),
        Layout.artifactBytes(s.fresh),
        `${Layout.locksDir}/held.lock`
      ])
        assert.isFalse(found.has(path), `${path} should be kept`)
      // Planning changes nothing.
      for (const r of removals) if (r.kind !== "membership") assert.isTrue(yield* exists(r.path), r.path)
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("an artifact only a message queued for a contact names is kept; a corrupt queued entry keeps nothing", () =>
    Effect.gen(function* () {
      const artifacts = yield* Artifacts
      const store = yield* Store
      const cli = yield* register("cli")
      const post = (text: string) =>
        Effect.map(artifacts.post({ content: { text }, postedBy: cli.sessionId }), (p) => p.meta.sha256 as string)
      const queued = yield* post("waits for the daemon")
      const orphan = yield* post("named by nothing")
      yield* store.write(
        `${CLOUD_OUTBOX_DIR}/01JQ0000000000000000000000.json`,
        JSON.stringify({ v: 1, subject: "s", artifacts: [{ sha256: queued, size: 20, mime: "text/plain" }] })
      )
      yield* store.write(`${CLOUD_OUTBOX_DIR}/01JQ0000000000000000000001.json`, "{ not json")
      yield* TestClock.adjust(3 * DAY)
      const found = byPath(yield* plan())
      assert.isFalse(found.has(Layout.artifactBytes(queued)), "the queued message's artifact stays")
      assert.isTrue(found.has(Layout.artifactBytes(orphan)), "an unreferenced one still goes")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("hook stamps: a removed session's and any unused for the offline period go; a fresh one stays", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const old = yield* register("old")
      const keep = yield* register("keep")
      const stamp = (sessionId: string, hostSessionId: string) =>
        encodeStamp({
          v: 1,
          bundle: "b",
          provider: "claude-code",
          hostSessionId,
          cwd: "/w",
          sessionId,
          pointer: "pointers/p.json",
          recordCwd: "/w",
          refreshMs: 60_000,
          takenAt: 1,
          dirs: watchedDirs(sessionId).map((path) => ({ path, mtimeMs: null }))
        })
      const ofOld = stampPath("claude-code", "h-old")
      const stale = stampPath("claude-code", "h-keep-earlier")
      yield* store.write(ofOld, stamp(old.sessionId, "h-old"))
      yield* store.write(stale, stamp(keep.sessionId, "h-keep-earlier"))
      yield* store.write(`${Layout.cacheDir}/hook-stamps/junk.json`, "{ not a stamp")
      yield* TestClock.adjust(8 * DAY)
      yield* Effect.flatMap(Sessions, (x) => x.touch(keep.sessionId))
      const fresh = stampPath("claude-code", "h-keep")
      yield* store.write(fresh, stamp(keep.sessionId, "h-keep"))
      yield* store.write(`${Layout.cacheDir}/hook-stamps/junk-new.json`, "{ not a stamp")
      const found = byPath(yield* plan())
      assert.strictEqual(found.get(ofOld)?.kind, "session")
      assert.match(found.get(ofOld)!.reason, /^hook stamp of a removed session$/)
      assert.strictEqual(found.get(stale)?.kind, "temp")
      assert.match(found.get(stale)!.reason, /^hook stamp unused for 8 days$/)
      assert.strictEqual(found.get(`${Layout.cacheDir}/hook-stamps/junk.json`)?.kind, "temp")
      assert.isFalse(found.has(fresh), "the live session's current stamp stays")
      assert.isFalse(found.has(`${Layout.cacheDir}/hook-stamps/junk-new.json`))
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("applying the plan removes exactly what it names; a second plan is empty", () =>
    Effect.gen(function* () {
      const s = yield* seedStore
      const housekeeping = yield* Housekeeping
      const removals = yield* plan()
      yield* housekeeping.applyGc(removals)
      for (const r of removals) if (r.kind !== "membership") assert.isFalse(yield* exists(r.path), r.path)
      assert.isTrue(yield* exists(Layout.inboxMessage(s.keep.sessionId, s.kept)))
      assert.isTrue(yield* exists(Layout.artifactBytes(s.toKeep)))
      assert.isTrue(yield* exists(`${Layout.locksDir}/held.lock`))
      const members = yield* Effect.flatMap(Channels, (c) => c.members(Schema.decodeSync(ChannelName)("dev")))
      assert.deepStrictEqual(members, [s.keep.sessionId])
      assert.deepStrictEqual(yield* plan(), [])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a longer offline threshold keeps the session and what only it refers to", () =>
    Effect.gen(function* () {
      const s = yield* seedStore
      const found = byPath(yield* plan(30 * DAY))
      assert.isFalse(found.has(Layout.session(s.old.sessionId)))
      assert.isFalse(found.has(Layout.artifactBytes(s.toOld)))
      assert.isFalse(found.has(Layout.messageRef(s.lost)))
      assert.isTrue(found.has(Layout.artifactBytes(s.unsent)))
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a lock file that does not decode is judged by its age", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write(`${Layout.locksDir}/odd.lock`, "not a lock")
      assert.deepStrictEqual(yield* plan(), [])
      yield* TestClock.adjust(31_000)
      const [only] = yield* plan()
      assert.deepStrictEqual([only?.path, only?.reason], [`${Layout.locksDir}/odd.lock`, "older than 30 s"])
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("reports scanning progress every 250 messages and at the end", () =>
    Effect.gen(function* () {
      const mailbox = yield* Mailbox
      const a = yield* register("a")
      const b = yield* register("b")
      for (let i = 0; i < 260; i++) yield* mailbox.send({ from: a, to: { sessionId: b.sessionId }, subject: `m${i}` })
      const seen: Array<string> = []
      yield* Effect.flatMap(Housekeeping, (h) =>
        h.planGc(DEFAULT_GC, (done, total) => Effect.sync(() => void seen.push(`${done}/${total}`)))
      )
      assert.deepStrictEqual(seen, ["250/260", "260/260"])
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("Housekeeping inspect", () => {
  it.effect("an id finds the session record and every copy of a message, decoded", () =>
    Effect.gen(function* () {
      const housekeeping = yield* Housekeeping
      const a = yield* register("a")
      const b = yield* register("b")
      const sent = yield* Effect.flatMap(Mailbox, (m) =>
        m.send({ from: a, to: { sessionId: b.sessionId }, subject: "hello" })
      )
      const session = yield* housekeeping.inspect(a.sessionId.toLowerCase())
      assert.deepStrictEqual(
        session.map((l) => [l.kind, l.path, l.absolutePath]),
        [["session", Layout.session(a.sessionId), `memory:/${Layout.session(a.sessionId)}`]]
      )
      const message = yield* housekeeping.inspect(sent.envelope.id)
      assert.deepStrictEqual(
        message.map((l) => [l.kind, l.path]),
        [
          ["message", Layout.inboxMessage(b.sessionId, sent.envelope.id)],
          ["message ref", Layout.messageRef(sent.envelope.id)]
        ]
      )
      assert.strictEqual((message[0]!.record as { subject: string }).subject, "hello")
      assert.strictEqual(message[0]!.mode, "0600")
      // Both sessions were made in the same millisecond: a prefix of their time part names both.
      assert.strictEqual(yield* codeOf(housekeeping.inspect(a.sessionId.slice(0, 10))), "AMBIGUOUS_RECIPIENT")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("a corrupt record says why it does not decode and stays; bad targets fail with codes", () =>
    Effect.gen(function* () {
      const housekeeping = yield* Housekeeping
      const store = yield* Store
      const path = Layout.pointer("cwd-broken")
      yield* store.write(path, `{"v":1}`)
      const [found] = yield* housekeeping.inspect(path)
      assert.strictEqual(found?.kind, "pointer")
      assert.match(found?.problem ?? "", /sessionId/)
      assert.strictEqual(found?.raw, `{"v":1}`)
      assert.isTrue(yield* exists(path))
      assert.strictEqual(yield* codeOf(housekeeping.inspect("a".repeat(64))), "ARTIFACT_NOT_FOUND")
      assert.strictEqual(yield* codeOf(housekeeping.inspect("01J00000000000000000000099")), "MESSAGE_NOT_FOUND")
      assert.strictEqual(yield* codeOf(housekeeping.inspect("/etc/passwd")), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(housekeeping.inspect("nothing/here.json")), "INVALID_ARGUMENT")
    }).pipe(Effect.provide(memoryBridge()))
  )
})

describe("Housekeeping files and inventory", () => {
  it.effect("walks the home and counts what it holds by area", () =>
    Effect.gen(function* () {
      const housekeeping = yield* Housekeeping
      const a = yield* register("a")
      const b = yield* register("b")
      const mailbox = yield* Mailbox
      yield* mailbox.send({ from: a, to: { sessionId: b.sessionId }, subject: "one" })
      yield* Effect.flatMap(Channels, (c) => c.join(a.sessionId, "#dev"))
      yield* mailbox.send({ from: a, to: { channel: "#dev" }, subject: "two" })
      yield* Effect.flatMap(Broadcasts, (x) => x.post({ from: a, subject: "three" }))
      yield* Effect.flatMap(Artifacts, (x) => x.post({ content: { text: "four" }, postedBy: a.sessionId }))
      const files = yield* housekeeping.files("")
      const inventory = inventoryOf(files)
      assert.deepStrictEqual(
        { ...inventory, files: 0, bytes: 0 },
        { sessions: 2, inboxMessages: 1, broadcasts: 1, channels: 1, artifacts: 1, files: 0, bytes: 0 }
      )
      assert.strictEqual(inventory.files, files.length)
      assert.strictEqual(
        inventory.bytes,
        files.reduce((n, f) => n + f.size, 0)
      )
      assert.isTrue(files.some((f) => f.path === Layout.session(a.sessionId) && f.size > 0))
      assert.deepStrictEqual(yield* housekeeping.files("nowhere"), [])
      // Temp files (a write in progress, or made ahead by a running server) are counted as files, as nothing else.
      const store = yield* Store
      for (const dir of [Layout.sessionsDir, Layout.inboxDir(b.sessionId), Layout.broadcastsDir, Layout.artifactsDir])
        yield* store.write(`${dir}/.tmp-1-a-bcdefghi`, "")
      const withTemps = inventoryOf(yield* housekeeping.files(""))
      assert.deepStrictEqual(
        { ...withTemps, files: 0, bytes: 0 },
        { sessions: 2, inboxMessages: 1, broadcasts: 1, channels: 1, artifacts: 1, files: 0, bytes: 0 }
      )
      assert.strictEqual(withTemps.files, files.length + 4)
    }).pipe(Effect.provide(memoryBridge()))
  )
})
