import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import type { Credentials } from "../../src/cloud/CloudState.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { pumpOnce } from "../../src/cloud/Outbox.js"
import { queueReceipts } from "../../src/cloud/Receipts.js"
import { getArtifact, postArtifact } from "../../src/mcp/tools/ArtifactTools.js"
import { getThread, listInbox, markRead, readMessage, sendMessage } from "../../src/mcp/tools/MessageTools.js"
import { call, register } from "../bridge/support.js"
import { cloudLayer, type Fixture, freshStore, makeFakeRelay, setupBob, T0 } from "./support.js"

/*
 * Bob's and alice's homes (two memory stores) over one fake relay, each step run as its daemon would: bob's
 * session sends alice's session a message with an artifact; alice's daemon delivers it (the artifact lands
 * content-addressed, so bridge_get_artifact answers the same on her machine); she replies and reads it; her
 * receipt brings bob's delivery state to `read`, and her reply joins bob's thread.
 */

/** Alice's cloud state on her own home: her keys, her credentials, bob as an active contact. */
const setupAlice = (f: Fixture) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    yield* home.writeIdentity(f.alice.identity.privateKey)
    yield* home.writeEncryptionKey({
      v: 1,
      keyId: f.alice.ek.record.keyId,
      record: f.alice.ek.record,
      privateKey: f.alice.ek.privateKey
    })
    const credentials: Credentials = {
      ...f.credentials,
      handle: "alice" as Credentials["handle"],
      accountId: f.alice.accountId,
      token: "alice-token-xxxxxxxxxxxxxxxx"
    }
    yield* home.writeCredentials(credentials)
    yield* home.writeContacts([
      {
        handle: f.bob.handle,
        accountId: f.bob.accountId,
        ikPub: f.bob.identity.publicKey,
        state: "active",
        ek: f.bob.ek.record,
        pinnedAt: T0
      }
    ])
    return credentials
  })

describe("two machines", () => {
  it.effect("a message with an artifact, a reply, and the receipts, across two homes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const relay = makeFakeRelay()
      const [bobStore, aliceStore] = [yield* freshStore, yield* freshStore]
      const onBob = <A, E>(e: Effect.Effect<A, E, any>) => Effect.provide(e, cloudLayer(bobStore, relay))
      const onAlice = <A, E>(e: Effect.Effect<A, E, any>) => Effect.provide(e, cloudLayer(aliceStore, relay))

      const { f, backend, sent, sha } = yield* onBob(
        Effect.gen(function* () {
          const f = yield* setupBob(relay)
          relay.publishKeys(f.alice.accountId, f.alice.identity.publicKey, f.alice.ek.record)
          relay.publishKeys(f.bob.accountId, f.bob.identity.publicKey, f.bob.ek.record)
          const backend = yield* register("backend")
          const posted = yield* call(postArtifact, backend, { text: "line 1\nline 2\n", name: "notes.txt" })
          const sent = yield* call(sendMessage, backend, {
            to: { contact: "alice", label: "api" },
            subject: "notes",
            body: "see attached",
            artifacts: [posted.sha256]
          })
          assert.deepStrictEqual(yield* pumpOnce(f.credentials), { stored: 1, refused: 0, retrying: 0 })
          return { f, backend, sent, sha: posted.sha256 as string }
        })
      )

      yield* TestClock.adjust("1 second")
      yield* onAlice(
        Effect.gen(function* () {
          const credentials = yield* setupAlice(f)
          const api = yield* register("api")
          assert.strictEqual((yield* pollOnce(credentials, 0)).delivered, 1)
          const [entry] = (yield* call(listInbox, api)).entries
          const message = yield* call(readMessage, api, { id: entry.id })
          assert.deepStrictEqual(
            [message.subject, message.from.contact, message.from.label, message.artifacts[0].sha256],
            ["notes", "bob", "backend", sha]
          )
          assert.isUndefined(message.delivery, "the reader sees no delivery state")
          const artifact = yield* call(getArtifact, api, { sha256: sha })
          assert.deepStrictEqual([artifact.content, artifact.name], ["line 1\nline 2\n", "notes.txt"])
          yield* call(sendMessage, api, { to: {}, subject: "thanks", replyTo: entry.id })
          yield* call(markRead, api, { ids: [entry.id] })
          assert.deepStrictEqual(yield* queueReceipts, { surfaced: 0, read: 1 })
          assert.deepStrictEqual(yield* pumpOnce(credentials), { stored: 2, refused: 0, retrying: 0 })
        })
      )

      yield* TestClock.adjust("1 second")
      yield* onBob(
        Effect.gen(function* () {
          const batch = yield* pollOnce(f.credentials, 0)
          assert.deepStrictEqual([batch.delivered, batch.receipts], [1, 1])
          const mine = yield* call(readMessage, backend, { id: sent.messageId })
          assert.strictEqual(mine.delivery.state, "read")
          const thread = yield* call(getThread, backend, { messageId: sent.messageId })
          assert.deepStrictEqual(
            thread.messages.map((m: { subject: string; delivery?: { state: string } }) => [
              m.subject,
              m.delivery?.state
            ]),
            [
              ["notes", "read"],
              ["thanks", undefined]
            ]
          )
        })
      )
    })
  )
})
