import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer } from "effect"
import * as Envelopes from "../../src/bridge/Envelopes.js"
import { FINE_MTIME_TRUST_MS, MTIME_TRUST_MS, mtimeTrustMs } from "../../src/bridge/MtimeTrust.js"
import { MessageEnvelope } from "../../src/domain/Records.js"
import type { MessageId, SessionId } from "../../src/domain/Ulid.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as Ids from "../../src/services/Ids.js"

const SESSION = "01JAAAAAAAAAAAAAAAAAAAAAAA" as SessionId
const DIR = `inbox/${SESSION}`

const envelope = (n: number) => {
  const id = `01JBBBBBBBBBBBBBBBBBBBBB${String(n).padStart(2, "0")}` as MessageId
  return MessageEnvelope.make({
    v: 1,
    id,
    kind: "direct",
    from: { sessionId: SESSION, label: "alice" },
    to: [{ sessionId: SESSION, label: "alice" }],
    subject: `subject ${n}`,
    body: `body ${n}`,
    threadId: id,
    artifacts: [],
    createdAt: DateTime.unsafeMake(0),
    origin: "local"
  })
}

/** Two independent Envelopes caches (as two processes would have) over one real directory. */
const twoProcesses = Effect.gen(function* () {
  const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sb-envelopes-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(root, { recursive: true, force: true })))
  const layer = Envelopes.layer.pipe(Layer.provide(Layer.merge(layerFileSystem(root), Ids.layer)))
  const a = yield* Effect.provide(Envelopes.Envelopes, layer)
  const b = yield* Effect.provide(Envelopes.Envelopes, layer)
  return { a, b }
})

describe("Envelopes listing cache", () => {
  it("trusts fine-grained mtimes after 50 ms and whole-second ones only after 2 s", () => {
    assert.strictEqual(mtimeTrustMs(1_795_771_419_000), MTIME_TRUST_MS)
    assert.strictEqual(mtimeTrustMs(1_795_771_419_798.708), FINE_MTIME_TRUST_MS)
  })

  it.live("an unchanged relisting keeps the previous result, a file from another process is seen", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { a, b } = yield* twoProcesses
        for (const n of [1, 2, 3]) assert.isTrue(yield* b.create(`${DIR}/${envelope(n).id}.json`, envelope(n)))
        // Inside the trust window the directory is listed again each time, yet the result is the same array.
        const first = yield* a.readDir(DIR)
        const second = yield* a.readDir(DIR)
        assert.strictEqual(first.length, 3)
        assert.strictEqual(second, first)
        yield* Effect.sleep("120 millis")
        const trusted = yield* a.readDir(DIR)
        assert.strictEqual(trusted, first)
        assert.isTrue(yield* b.create(`${DIR}/${envelope(4).id}.json`, envelope(4)))
        const after = yield* a.readDir(DIR)
        assert.deepStrictEqual(
          after.map((s) => s.envelope.subject),
          ["subject 1", "subject 2", "subject 3", "subject 4"]
        )
      })
    )
  )
})

describe("Envelopes.publish", () => {
  const build = (id: MessageId, threadId: MessageId) => MessageEnvelope.make({ ...envelope(1), id, threadId })

  it.live("creates the copy, the ref and the alongside files; a failing batch leaves none of them", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sb-publish-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(root, { recursive: true, force: true })))
        const layer = Envelopes.layer.pipe(Layer.provide(Layer.merge(layerFileSystem(root), Ids.layer)))
        const envelopes = yield* Effect.provide(Envelopes.Envelopes, layer)
        const sent = yield* envelopes.publish({
          canonical: (id) => `sent/${id}.json`,
          build,
          alongside: (e) => Effect.succeed([{ path: `outbox/${e.id}.json`, data: `queued ${e.id}` }])
        })
        assert.strictEqual(
          fs.readFileSync(nodePath.join(root, "outbox", `${sent.id}.json`), "utf8"),
          `queued ${sent.id}`
        )
        assert.isTrue(fs.existsSync(nodePath.join(root, "refs", `${sent.id}.json`)))
        assert.isTrue(fs.existsSync(nodePath.join(root, "sent", `${sent.id}.json`)))

        // The alongside file cannot be created (its folder is a link planted out of the home): nothing stays.
        const outside = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sb-publish-outside-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(outside, { recursive: true, force: true })))
        fs.symlinkSync(outside, nodePath.join(root, "blocked"))
        const failed = yield* Effect.either(
          envelopes.publish({
            canonical: (id) => `sent/${id}.json`,
            build,
            alongside: (e) => Effect.succeed([{ path: `blocked/${e.id}.json`, data: "queued" }])
          })
        )
        assert.isTrue(failed._tag === "Left")
        assert.deepStrictEqual(fs.readdirSync(nodePath.join(root, "sent")), [`${sent.id}.json`])
        assert.deepStrictEqual(fs.readdirSync(nodePath.join(root, "refs")), [`${sent.id}.json`])
        assert.deepStrictEqual(fs.readdirSync(outside), [])
      })
    )
  )
})
