import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import * as NodeCloudCrypto from "../../src/platform/NodeCloudCrypto.js"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import { CloudCrypto } from "../../src/protocol/CloudCrypto.js"
import { inbox, messageServices, send } from "../../src/relay/MessageHandlers.js"
import * as RateLimiter from "../../src/relay/RateLimiter.js"
import { RelayStore } from "../../src/relay/RelayStore.js"
import type { RequestView } from "../../src/relay/RequestView.js"
import { layerSqlite } from "../../src/relay/SqlRelayStore.js"
import * as Waiters from "../../src/relay/Waiters.js"
import { befriend } from "./relayStoreContract.js"

const ULID = "01JD0000000000000000000001"

/** A request as the hot routes see it. */
const view = (url: string, token: string, body = ""): RequestView => ({
  header: (name) => (name === "authorization" ? `Bearer ${token}` : undefined),
  remoteAddress: "127.0.0.1",
  url,
  text: () => Effect.succeed(body)
})

/** The real SQLite store, counting the reads a woken poll makes (`read`: a poll's later rounds). */
const counted = (reads: { n: number }) =>
  Layer.effect(
    RelayStore,
    Effect.map(RelayStore, (store) => ({
      ...store,
      read: (recipientId: number, after: number, limit: number) =>
        Effect.suspend(() => {
          reads.n++
          return store.read(recipientId, after, limit)
        })
    }))
  )

const setup = (reads: { n: number }) =>
  Effect.gen(function* () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-handoff-"))
    // Registered first, so it runs after the store built below has closed.
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const store = layerSqlite({ filename: path.join(dir, "relay.db") }).pipe(Layer.provide(NodeContext.layer))
    const context = yield* Layer.build(
      Layer.mergeAll(
        counted(reads).pipe(Layer.provideMerge(store)),
        Waiters.layerInProcess,
        RateLimiter.layer(false),
        NodeCloudCrypto.layer
      )
    )
    const services = yield* Effect.provide(messageServices, context)
    const crypto = yield* Effect.provide(CloudCrypto, context)
    const member = (handle: string) =>
      Effect.gen(function* () {
        const account = yield* services.store.createAccount({
          handle,
          ikPub: new Uint8Array(32).fill(1),
          ekRecord: new Uint8Array(64).fill(2),
          ekSeq: 1
        })
        const token = new Uint8Array(32).fill(account.id)
        yield* services.store.insertToken(account.id, crypto.sync.sha256(token), "test")
        return { id: account.id, token: toBase64Url(token) }
      })
    const alice = yield* member("alice")
    const bob = yield* member("bob")
    yield* befriend(services.store, alice.id, bob.id)
    return { services, alice, bob }
  })

const envelope = (to: number, id: string) =>
  JSON.stringify({
    v: 1,
    id,
    to: `acct_${to}`,
    exp: Math.floor(Date.now() / 1000) + 3600,
    rk: "ek_1",
    ct: toBase64Url(new Uint8Array([1, 2, 3, 4]))
  })

describe("a long-poll woken by a send in this process", () => {
  it.live("answers with the row the send handed it, reading nothing, exactly as a read would have", () =>
    Effect.gen(function* () {
      const reads = { n: 0 }
      const { alice, bob, services } = yield* setup(reads)
      const poll = yield* Effect.fork(inbox(services, view("/v1/inbox?after=0&wait=5", bob.token)))
      yield* Effect.sleep("50 millis")
      const sent = yield* send(services, view("/v1/messages", alice.token, envelope(bob.id, ULID)))
      assert.strictEqual(sent.status, 201)
      const handed = yield* Fiber.join(poll)
      assert.strictEqual(reads.n, 0)
      // The same answer from a read: a poll at the same cursor now finds the row in the spool.
      const read = yield* inbox(services, view("/v1/inbox?after=0&wait=0", bob.token))
      assert.deepStrictEqual(handed, read)
      const body = handed.body as { messages: ReadonlyArray<{ seq: number; id: string }>; cursor: number }
      assert.deepStrictEqual(
        body.messages.map((m) => [m.seq, m.id]),
        [[1, ULID]]
      )
      assert.strictEqual(body.cursor, 1)
    }).pipe(Effect.scoped)
  )

  it.live("reads when the rows handed do not directly follow its cursor", () =>
    Effect.gen(function* () {
      const reads = { n: 0 }
      const { bob, services } = yield* setup(reads)
      const poll = yield* Effect.fork(inbox(services, view("/v1/inbox?after=0&wait=1", bob.token)))
      yield* Effect.sleep("50 millis")
      // A wake with a row past a gap (seq 3 where 1 is next): taken as a wake only, so the poll reads, finds
      // nothing and parks again until its time is up.
      const stray = {
        seq: 3,
        senderId: 1,
        msgId: new Uint8Array([1]),
        rk: "ek_1",
        ct: new Uint8Array([9]),
        expiresAt: 0
      }
      yield* services.waiters.wake(bob.id, [stray])
      const answer = yield* Fiber.join(poll)
      assert.isAtLeast(reads.n, 1)
      assert.deepStrictEqual(answer.body, { messages: [], cursor: 0 })
    }).pipe(Effect.scoped)
  )
})
