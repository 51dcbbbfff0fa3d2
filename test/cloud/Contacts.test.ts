import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import {
  acceptContact,
  addContact,
  createInvite as createInviteAgain,
  pruneInvites,
  revokeContact,
  syncContacts,
  verifyContact
} from "../../src/cloud/Contacts.js"
import { RelayClient as RelayClientTag } from "../../src/cloud/RelayClient.js"
import { sendToContact } from "../../src/cloud/ContactSend.js"
import { processBatch } from "../../src/cloud/Inbound.js"
import { queued } from "../../src/cloud/Outbox.js"
import { requireAccount } from "../../src/cloud/Account.js"
import { seal } from "../../src/protocol/Envelope.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import { Store } from "../../src/services/store/Store.js"
import { draft, T0 } from "../protocol/support.js"
import { msgId } from "./support.js"
import { befriend, twoHomes } from "./homes.js"

const failureCode = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.flip(effect), (e: any) => String(e.code ?? e._tag))

describe("contacts", () => {
  it.scoped("invite → add → accept pins each side's key, with one safety number on both sides", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      const { invite, added, accepted } = yield* befriend(h)
      assert.match(invite.code, /^sb1-/)
      assert.strictEqual(added.handle, "alice")
      assert.strictEqual(added.state, "pending")
      assert.strictEqual(accepted.handle, "bob")
      assert.strictEqual(accepted.state, "active")
      assert.strictEqual(added.safetyNumber, accepted.safetyNumber)
      assert.match(added.safetyNumber, /^\d{5} \d{5} \d{5} \d{5}$/)
      const bobIk = (yield* h.bob(requireAccount)).identity.publicKey
      const pinnedByAlice = (yield* h.alice(Effect.flatMap(CloudHome, (c) => c.contacts)))[0]!
      assert.deepStrictEqual(pinnedByAlice.ikPub, bobIk, "alice pinned bob's own identity key")
      // The secret is kept only until accept.
      assert.deepStrictEqual(yield* h.alice(Effect.flatMap(Store, (s) => s.list(CloudLayout.invitesDir))), [])
      // bob's pin turns active once the relay says the inviter accepted.
      const sync = yield* h.bob(
        Effect.flatMap(requireAccount, (a) =>
          Effect.flatMap(
            Effect.flatMap(RelayClientTag, (r) => r.contacts(a.credentials.token)),
            syncContacts
          )
        )
      )
      assert.deepStrictEqual(sync.activated, ["alice"])
      assert.strictEqual((yield* h.bob(verifyContact("alice"))).safetyNumber, added.safetyNumber)
    })
  )

  it.scoped("an invite is single use, a malformed code is INVITE_CODE_INVALID, and an own code is refused", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      const { invite } = yield* befriend(h)
      assert.strictEqual(yield* failureCode(h.bob(addContact(invite.code))), "INVITE_INVALID")
      assert.strictEqual(yield* failureCode(h.bob(addContact("sb1-not-a-code"))), "INVITE_CODE_INVALID")
      const own = yield* h.alice(createInviteAgain)
      assert.strictEqual(yield* failureCode(h.alice(addContact(own.code))), "INVITE_INVALID")
      assert.strictEqual(yield* failureCode(h.alice(acceptContact("carol" as Handle))), "INVITE_INVALID")
    })
  )

  it.scoped("an unaccepted invite's secret is removed once the invite has expired, not before", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* h.alice(createInviteAgain)
      const secrets = h.alice(Effect.flatMap(Store, (s) => s.list(CloudLayout.invitesDir)))
      assert.strictEqual((yield* secrets).length, 1)
      assert.strictEqual(yield* h.alice(pruneInvites), 0)
      yield* TestClock.adjust(24 * 60 * 60 * 1000)
      assert.strictEqual(yield* h.alice(pruneInvites), 1)
      assert.deepStrictEqual(yield* secrets, [])
    })
  )

  it.scoped("after a revoke nothing from the revoked side is delivered, even if the relay keeps serving it", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* befriend(h)
      const revoked = yield* h.bob(revokeContact("alice" as Handle))
      assert.strictEqual(revoked.relay, "revoked")
      // A hostile relay still spools an envelope alice sealed to bob.
      const aliceAccount = yield* h.alice(requireAccount)
      const bobAccount = yield* h.bob(requireAccount)
      const envelope = yield* h.alice(
        seal({
          id: msgId(7),
          exp: Math.floor(T0 / 1000) + 3600,
          from: { accountId: aliceAccount.credentials.accountId, identity: aliceAccount.identity },
          to: {
            accountId: bobAccount.credentials.accountId,
            handle: "bob" as Handle,
            ikPub: bobAccount.identity.publicKey,
            ek: bobAccount.currentKey.record
          },
          inner: draft({ fromHandle: "alice" as Handle, to: { any: true } })
        })
      )
      const seq = h.relay.inject(h.aliceId, envelope)
      const result = yield* h.bob(processBatch(bobAccount.credentials, [{ ...envelope, seq, from: h.aliceId }]))
      assert.strictEqual(result.dropped, 1)
      assert.strictEqual(result.delivered + result.unrouted, 0)
      // The relay saying "active" again does not revive the pin.
      const sync = yield* h.bob(
        syncContacts([{ accountId: h.aliceId, handle: "alice" as Handle, state: "active", ikPub: null, ek: null }])
      )
      assert.deepStrictEqual(sync.activated, [])
      assert.strictEqual((yield* h.bob(verifyContact("alice"))).state, "revoked")
    })
  )

  it.scoped("contact send queues for an active contact and refuses revoked, pending, unknown and oversized", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      const invite = yield* h.alice(createInviteAgain)
      yield* h.bob(addContact(invite.code))
      // bob's pin is pending and the relay still says pending: not sendable yet.
      assert.strictEqual(
        yield* failureCode(h.bob(sendToContact({ handle: "alice", subject: "s", body: "b" }))),
        "NOT_A_CONTACT"
      )
      yield* h.alice(acceptContact("bob" as Handle))
      // Now the relay says active: the send syncs the pin first and queues.
      const sent = yield* h.bob(sendToContact({ handle: "alice", subject: "s", body: "b", label: "api" }))
      assert.strictEqual(sent.state, "queued")
      const entries = yield* h.bob(queued)
      assert.strictEqual(entries.length, 1)
      assert.deepStrictEqual(entries[0]!.to, { label: "api" })
      assert.strictEqual(
        yield* failureCode(h.bob(sendToContact({ handle: "alice", subject: "s", body: "x".repeat(64 * 1024 + 1) }))),
        "BODY_TOO_LARGE"
      )
      assert.strictEqual(
        yield* failureCode(h.bob(sendToContact({ handle: "nobody", subject: "s", body: "b" }))),
        "NOT_A_CONTACT"
      )
      yield* h.alice(revokeContact("bob" as Handle))
      assert.strictEqual(
        yield* failureCode(h.alice(sendToContact({ handle: "bob", subject: "s", body: "b" }))),
        "CONTACT_REVOKED"
      )
    })
  )
})
