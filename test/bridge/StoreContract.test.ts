import * as fsp from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Encoding, Fiber, Layer } from "effect"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"

const BridgeLayer = () => BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))
import { Surfacing } from "../../src/bridge/Surfacing.js"
import { Layout } from "../../src/domain/Layout.js"
import { getArtifact, postArtifact } from "../../src/mcp/tools/ArtifactTools.js"
import { channelHistory, joinChannel, listChannels } from "../../src/mcp/tools/ChannelTools.js"
import { listInbox, markRead, readMessage, sendMessage, waitForMessage } from "../../src/mcp/tools/MessageTools.js"
import { search } from "../../src/mcp/tools/SearchTools.js"
import { type FileSystemStoreOptions, layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as SpareTempFiles from "../../src/platform/SpareTempFiles.js"
import { tempName } from "../../src/platform/TempFile.js"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { Ids } from "../../src/services/Ids.js"
import * as IdsLive from "../../src/services/Ids.js"
import { layerMemory as storeMemory } from "../../src/services/store/MemoryStore.js"
import * as Lock from "../../src/services/Lock.js"
import { FILE_MODE, Store, TEMP_PREFIX } from "../../src/services/store/Store.js"
import { call, codeOf, register } from "./support.js"

const env = HostEnv.layerMemory({ env: { SESSION_BRIDGE_MAX_BACKLOG: "3" } })

type IdsLayer = Layer.Layer<Ids>

const memory = (ids: IdsLayer = IdsLive.layer) =>
  BridgeLayer().pipe(Layer.provideMerge(Layer.mergeAll(storeMemory, Lock.layerMemory, ids, env)))

const fileSystem = (ids: IdsLayer = IdsLive.layer, options: FileSystemStoreOptions = {}) =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.promise(() => fsp.mkdtemp(nodePath.join(os.tmpdir(), "bridge-contract-"))),
        (dir) => Effect.promise(() => fsp.rm(dir, { recursive: true, force: true }))
      ),
      (dir) => {
        const store = layerFileSystem(nodePath.join(dir, "home"), options)
        const infra = Layer.mergeAll(FileLock.layerFile.pipe(Layer.provideMerge(Layer.merge(store, env))), ids)
        return BridgeLayer().pipe(Layer.provideMerge(infra))
      }
    )
  )

/** Ids that hand out the forced ids first, as a second process racing on the same id would. */
const forcedIds = (forced: Array<string>) =>
  Layer.effect(
    Ids,
    Effect.map(IdsLive.make, (real) =>
      Ids.of({ next: Effect.suspend(() => (forced.length > 0 ? Effect.succeed(forced.shift()!) : real.next)) })
    )
  )

const contract = (name: string, layer: (ids?: IdsLayer) => Layer.Layer<any, never, never>) =>
  describe(`bridge on the ${name} store`, () => {
    it.live("direct message: send, list, read, mark_read; backlog cap keeps every message", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "hello", body: "über" })
        assert.strictEqual((yield* call(readMessage, bob, { id: sent.messageId })).body, "über")
        yield* call(sendMessage, alice, { to: { cwd: "/work/bob" }, subject: "two" })
        yield* call(sendMessage, alice, { to: { sessionId: bob.sessionId }, subject: "three" })
        assert.strictEqual(
          yield* codeOf(call(sendMessage, alice, { to: { label: "bob" }, subject: "four" })),
          "BACKLOG_FULL"
        )
        assert.strictEqual((yield* call(listInbox, bob)).unread, 3)
        assert.deepStrictEqual(yield* call(markRead, bob, { ids: [sent.messageId] }), { marked: 1 })
        assert.deepStrictEqual(yield* call(markRead, bob, { ids: [sent.messageId] }), { marked: 0 })
        assert.strictEqual((yield* call(listInbox, bob)).unread, 2)
      }).pipe(Effect.provide(layer()))
    )

    it.live("channel fan-out, artifact dedupe, search", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        for (const who of [alice, bob]) yield* call(joinChannel, who, { channel: "#dev" })
        yield* call(sendMessage, alice, { to: { channel: "#dev" }, subject: "build green", body: "ship it" })
        assert.deepStrictEqual(
          (yield* call(search, bob, { query: "ship" })).results.map((r: { subject: string }) => r.subject),
          ["build green"]
        )
        const bytes = Encoding.encodeBase64(new Uint8Array([0, 255, 1, 254]))
        const a = yield* call(postArtifact, alice, { contentBase64: bytes })
        const b = yield* call(postArtifact, bob, { contentBase64: bytes })
        assert.deepStrictEqual([a.sha256, a.deduped, b.deduped], [b.sha256, false, true])
        assert.strictEqual((yield* call(getArtifact, bob, { sha256: a.sha256 })).content, bytes)
      }).pipe(Effect.provide(layer()))
    )

    it.live("channel history reads only the newest it shows; one that does not decode makes room for an older", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        yield* call(joinChannel, alice, { channel: "#ops" })
        const store = yield* Store
        const dir = Layout.channelHistoryDir("ops")
        yield* store.write(`${dir}/01F00000000000000000000000.json`, "{ not json")
        for (const subject of ["one", "two", "three"])
          yield* call(sendMessage, alice, { to: { channel: "#ops" }, subject })
        yield* store.write(`${dir}/7ZZZZZZZZZZZZZZZZZZZZZZZZZ.json`, "{ not json")
        const subjects = (h: { messages: ReadonlyArray<{ subject: string }> }) => h.messages.map((m) => m.subject)
        assert.deepStrictEqual(subjects(yield* call(channelHistory, alice, { channel: "#ops", limit: 2 })), [
          "two",
          "three"
        ])
        // The newest file was read and quarantined; the oldest was not read.
        assert.strictEqual((yield* store.list("quarantine")).length, 1)
        assert.deepStrictEqual(subjects(yield* call(channelHistory, alice, { channel: "#ops", limit: 10 })), [
          "one",
          "two",
          "three"
        ])
        assert.strictEqual((yield* store.list("quarantine")).length, 2)
      }).pipe(Effect.provide(layer()))
    )

    it.live("wait_for_message is woken by a send", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const waiting = yield* Effect.fork(call(waitForMessage, bob, { timeoutSec: 20 }))
        yield* Effect.sleep("50 millis")
        const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "ping" })
        assert.strictEqual((yield* Fiber.join(waiting)).message.id, sent.messageId)
      }).pipe(Effect.provide(layer()))
    )

    it.live("concurrent joins all land in members.json (read-modify-write under the channel lock)", () =>
      Effect.gen(function* () {
        const members = yield* Effect.all(
          ["a", "b", "c", "d", "e"].map((l) => register(l)),
          { concurrency: 5 }
        )
        yield* Effect.all(
          members.map((m) => call(joinChannel, m, { channel: "#race" })),
          { concurrency: 5 }
        )
        const list = yield* call(listChannels, members[0]!)
        assert.deepStrictEqual(list.channels, [{ channel: "#race", members: 5, joined: true }])
      }).pipe(Effect.provide(layer()))
    )

    it.live("surfaced markers: concurrent claims win each id once", () =>
      Effect.gen(function* () {
        const surfacing = yield* Surfacing
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const sent = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "once" })
        const runs = yield* Effect.all(
          Array.from({ length: 4 }, () => surfacing.markSurfaced(bob.sessionId, [sent.messageId])),
          { concurrency: 4 }
        )
        assert.strictEqual(runs.flat().length, 1)
      }).pipe(Effect.provide(layer()))
    )

    it.live("a corrupt inbox file is quarantined and the rest still reads", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "fine" })
        const store = yield* Store
        yield* store.write(Layout.inboxMessage(bob.sessionId, "01J00000000000000000000000"), "{ not json")
        const inbox = yield* call(listInbox, bob)
        assert.deepStrictEqual(
          inbox.entries.map((e: { subject: string }) => e.subject),
          ["fine"]
        )
        assert.strictEqual((yield* store.list("quarantine")).length, 1)
      }).pipe(Effect.provide(layer()))
    )

    it.live("list_inbox reads only the page it shows: a corrupt copy on it is skipped, one below it is not read", () =>
      Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const store = yield* Store
        // The oldest (a ULID from 2021) and the newest (the largest ULID) copies are not JSON.
        yield* store.write(Layout.inboxMessage(bob.sessionId, "01F00000000000000000000000"), "{ not json")
        for (const subject of ["one", "two"]) yield* call(sendMessage, alice, { to: { label: "bob" }, subject })
        yield* store.write(Layout.inboxMessage(bob.sessionId, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"), "{ not json")
        const subjects = (page: { entries: ReadonlyArray<{ subject: string }> }) => page.entries.map((e) => e.subject)
        const page = yield* call(listInbox, bob, { limit: 2 })
        assert.deepStrictEqual(subjects(page), ["two", "one"])
        // Four copies by name, the newest of which did not decode; the oldest was not read.
        assert.strictEqual(page.unread, 3)
        assert.strictEqual((yield* store.list("quarantine")).length, 1)
        const whole = yield* call(listInbox, bob, { limit: 10 })
        assert.deepStrictEqual([subjects(whole), whole.unread], [["two", "one"], 2])
        assert.strictEqual((yield* store.list("quarantine")).length, 2)
        // Read ones are left out unless asked for, and no longer counted.
        yield* call(markRead, bob, { ids: [whole.entries[0].id] })
        const after = yield* call(listInbox, bob, { limit: 1 })
        assert.deepStrictEqual([subjects(after), after.unread], [["one"], 1])
        const all = yield* call(listInbox, bob, { all: true, limit: 1 })
        assert.deepStrictEqual([subjects(all), all.entries[0].read, all.unread], [["two"], true, 1])
      }).pipe(Effect.provide(layer()))
    )

    it.live("the hook's limited read: a corrupt oldest entry is quarantined and not counted; the rest wait", () =>
      Effect.gen(function* () {
        const surfacing = yield* Surfacing
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const store = yield* Store
        // The oldest id sorts first (a ULID from the year 2021), and it is not JSON.
        yield* store.write(Layout.inboxMessage(bob.sessionId, "01F00000000000000000000000"), "{ not json")
        const sent = []
        // (this layer caps a backlog at 3 unread)
        for (const subject of ["one", "two"])
          sent.push(yield* call(sendMessage, alice, { to: { label: "bob" }, subject }))
        const pending = yield* surfacing.unsurfaced(bob.sessionId, 2)
        assert.deepStrictEqual(
          pending.entries.map((e) => e.subject),
          ["one"]
        )
        assert.strictEqual(pending.waiting, 2)
        assert.strictEqual((yield* store.list("quarantine")).length, 1)
        const next = yield* surfacing.unsurfaced(bob.sessionId, 2)
        assert.deepStrictEqual(
          [next.entries.map((e) => e.id), next.waiting],
          [[sent[0]!.messageId, sent[1]!.messageId], 2]
        )
      }).pipe(Effect.provide(layer()))
    )

    it.live("two senders racing on one id never overwrite each other", () => {
      const forced: Array<string> = []
      return Effect.gen(function* () {
        const alice = yield* register("alice")
        const bob = yield* register("bob")
        const one = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "one" })
        forced.push(one.messageId)
        const two = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "two" })
        assert.strictEqual(forced.length, 0)
        assert.notStrictEqual(one.messageId, two.messageId)
        const inbox = (yield* call(listInbox, bob)).entries.map((e: { id: string; subject: string }) => [
          e.id,
          e.subject
        ])
        assert.deepStrictEqual(inbox, [
          [two.messageId, "two"],
          [one.messageId, "one"]
        ])
      }).pipe(Effect.provide(layer(forcedIds(forced))))
    })
  })

contract("memory", memory)
contract("file-system", fileSystem)
// A write into a directory written into before finds the spare the write before left there.
contract("file-system, writing into temp files made ahead", (ids) =>
  fileSystem(ids, {
    spares: SpareTempFiles.make({ name: () => tempName(TEMP_PREFIX), mode: FILE_MODE, inBackground: false })
  })
)
