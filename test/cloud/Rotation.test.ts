import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { requireAccount } from "../../src/cloud/Account.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { addContact, createInvite, listContacts, verifyContact } from "../../src/cloud/Contacts.js"
import { rotateIdentity } from "../../src/cloud/IdentityRotation.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { withdrawInvite } from "../../src/cloud/InviteWithdraw.js"
import { pumpOnce, queueMessage } from "../../src/cloud/Outbox.js"
import { rotateToken, tokenReplaced } from "../../src/cloud/TokenRotation.js"
import type { MessageId } from "../../src/domain/Ulid.js"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import { seal } from "../../src/protocol/Envelope.js"
import { generateEncryptionKey, generateIdentity } from "../../src/protocol/Keys.js"
import { makeRotation } from "../../src/protocol/Statements.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import { Store } from "../../src/services/store/Store.js"
import { T0 } from "../protocol/support.js"
import { networkDown } from "../support/FakeRelay.js"
import { befriend, twoHomes } from "./homes.js"

const msgId = (n: number) => `01JF00000000000000000000${String(n).padStart(2, "0")}` as MessageId
const queueTo = (contact: string, n: number) =>
  queueMessage({ id: msgId(n), contact: contact as Handle, to: { any: true }, subject: `s${n}`, body: "b" })
const creds = Effect.map(requireAccount, (a) => a.credentials)

describe("rotation across two homes", () => {
  it.scoped("alice rotates her identity key: bob follows the signed statement, keeps receiving, sees the notice", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* befriend(h)
      yield* h.bob(listContacts) // bob learns that alice accepted: the contact is active on his side
      const before = yield* h.bob(verifyContact("alice"))
      const rotated = yield* h.alice(rotateIdentity)
      assert.isFalse(rotated.resumed)
      assert.notStrictEqual(rotated.newFingerprint, rotated.oldFingerprint)
      // Nothing pending is left; the old key's public half is kept for mail sealed to it.
      assert.isTrue(Option.isNone(yield* h.alice(Effect.flatMap(Store, (s) => s.stat(CloudLayout.rotation)))))
      assert.isTrue(Option.isNone(yield* h.alice(Effect.flatMap(Store, (s) => s.stat(CloudLayout.identityNextKey)))))
      // A message bob queued before he noticed: sealed to alice's old key, opened by her all the same.
      yield* h.bob(queueTo("alice", 1))
      assert.deepStrictEqual(yield* h.bob(Effect.flatMap(creds, pumpOnce)), { stored: 1, refused: 0, retrying: 0 })
      // Alice writes with her new key before bob's daemon looked at his contacts: his inbox follows the statement.
      yield* h.alice(queueTo("bob", 2))
      assert.deepStrictEqual(yield* h.alice(Effect.flatMap(creds, pumpOnce)), { stored: 1, refused: 0, retrying: 0 })
      const got = yield* h.bob(Effect.flatMap(creds, (c) => pollOnce(c, 0)))
      assert.strictEqual(got.unrouted, 1)
      assert.strictEqual(got.quarantined, 0)
      const aliceGot = yield* h.alice(Effect.flatMap(creds, (c) => pollOnce(c, 0)))
      assert.strictEqual(aliceGot.unrouted, 1)
      assert.strictEqual(aliceGot.quarantined, 0)
      // Bob's view: the pin moved, the safety number changed, and it says so.
      const after = yield* h.bob(verifyContact("alice"))
      assert.notStrictEqual(after.safetyNumber, before.safetyNumber)
      assert.strictEqual(after.theirFingerprint, rotated.newFingerprint)
      assert.strictEqual(after.identityChangedAt, T0)
      const listed = yield* h.bob(listContacts)
      assert.deepInclude(listed.contacts[0], {
        handle: "alice",
        keyChanged: false,
        identityChangedAt: T0,
        safetyNumber: after.safetyNumber
      })
      // Alice's side shows the same new number; bob's next message is sealed to her new key.
      assert.strictEqual((yield* h.alice(verifyContact("bob"))).safetyNumber, after.safetyNumber)
      yield* h.bob(queueTo("alice", 3))
      assert.deepStrictEqual(yield* h.bob(Effect.flatMap(creds, pumpOnce)), { stored: 1, refused: 0, retrying: 0 })
      assert.strictEqual((yield* h.alice(Effect.flatMap(creds, (c) => pollOnce(c, 0)))).unrouted, 1)
    })
  )

  it.scoped(
    "a key change without a valid statement from the pinned key is KEY_CHANGED: nothing sent, nothing opened",
    () =>
      Effect.gen(function* () {
        const h = yield* twoHomes
        yield* befriend(h)
        const pinned = yield* h.bob(verifyContact("alice"))
        // The relay serves another identity key for alice, with a "statement" the pinned key never signed.
        const mallory = yield* h.bob(generateIdentity)
        const other = yield* h.bob(generateIdentity)
        const forged = yield* h.bob(makeRotation(other, mallory))
        const ek = yield* h.bob(
          generateEncryptionKey(mallory, {
            keyId: "ek_forged" as never,
            notBefore: T0,
            notAfter: T0 + 86_400_000,
            seq: 9
          })
        )
        const aliceIk = (yield* h.alice(requireAccount)).identity.publicKey
        h.relay.injectRotation({ ...forged, oldIk: aliceIk, accountId: h.aliceId })
        h.relay.publishKeys(h.aliceId, mallory.publicKey, ek.record)
        const listed = yield* h.bob(listContacts)
        assert.deepInclude(listed.contacts[0], { handle: "alice", keyChanged: true, identityChangedAt: null })
        assert.strictEqual((yield* h.bob(verifyContact("alice"))).theirFingerprint, pinned.theirFingerprint)
        yield* h.bob(queueTo("alice", 4))
        assert.deepStrictEqual(yield* h.bob(Effect.flatMap(creds, pumpOnce)), { stored: 0, refused: 1, retrying: 0 })
        const sent = yield* h.bob(Effect.flatMap(Store, (s) => s.readText(CloudLayout.sent(msgId(4)))))
        assert.include(Option.getOrThrow(sent), "refused:key_changed")
        // An envelope alice's real key signed still opens; one the served key signs is quarantined, never surfaced.
        yield* h.alice(queueTo("bob", 5))
        h.relay.publishKeys(h.aliceId, aliceIk, (yield* h.alice(requireAccount)).currentKey.record)
        yield* h.alice(Effect.flatMap(creds, pumpOnce))
        h.relay.publishKeys(h.aliceId, mallory.publicKey, ek.record)
        const bobAccount = yield* h.bob(requireAccount)
        const byServedKey = yield* h.bob(
          seal({
            id: msgId(6),
            exp: Math.floor(T0 / 1000) + 3600,
            from: { accountId: h.aliceId, identity: mallory },
            to: {
              accountId: h.bobId,
              handle: "bob" as Handle,
              ikPub: bobAccount.identity.publicKey,
              ek: bobAccount.currentKey.record
            },
            inner: {
              kind: "message",
              ts: T0,
              fromHandle: "alice" as Handle,
              to: { any: true },
              subject: "s",
              body: "x"
            }
          })
        )
        h.relay.inject(h.aliceId, byServedKey)
        const batch = yield* h.bob(Effect.flatMap(creds, (c) => pollOnce(c, 0)))
        assert.strictEqual(batch.unrouted, 1)
        assert.strictEqual(batch.quarantined, 1)
        assert.strictEqual(batch.delivered, 0)
      })
  )

  it.scoped("token rotate: the old token is refused, a crash on either side of the relay's commit loses nothing", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      const first = yield* h.alice(creds)
      const done = yield* h.alice(rotateToken)
      assert.isFalse(done.resumed)
      const second = yield* h.alice(creds)
      assert.notStrictEqual(second.token, first.token)
      assert.isUndefined(second.pendingToken)
      assert.strictEqual(second.tokenRotatedAt, T0)
      const old = yield* Effect.either(h.relay.client.contacts(first.token))
      assert.isTrue(Either.isLeft(old) && old.left._tag === "RelayAuth")
      // The relay is not reached: the new token stays pending, the live one unchanged; the retry completes it.
      h.relay.fail("rotateToken", networkDown())
      const failed = yield* Effect.either(h.alice(rotateToken))
      assert.isTrue(Either.isLeft(failed))
      const pending = yield* h.alice(creds)
      assert.strictEqual(pending.token, second.token)
      assert.isString(pending.pendingToken)
      const retried = yield* h.alice(rotateToken)
      assert.isTrue(retried.resumed)
      assert.strictEqual((yield* h.alice(creds)).token, pending.pendingToken)
      // Committed at the relay, then interrupted before credentials.json moved on: the daemon adopts it on its 401.
      const third = yield* h.alice(creds)
      const next = toBase64Url(new Uint8Array(32).fill(7))
      yield* h.alice(Effect.flatMap(CloudHome, (home) => home.writeCredentials({ ...third, pendingToken: next })))
      yield* h.relay.client.rotateToken(third.token, next)
      assert.isTrue(yield* h.alice(tokenReplaced(third.token)))
      const adopted = yield* h.alice(creds)
      assert.strictEqual(adopted.token, next)
      assert.isUndefined(adopted.pendingToken)
      // A revoked token with nothing pending is not "replaced".
      assert.isFalse(yield* h.alice(tokenReplaced(next)))
    })
  )

  it.scoped(
    "contact uninvite: the invite is withdrawn at the relay and its secret removed; redeeming it is INVITE_INVALID",
    () =>
      Effect.gen(function* () {
        const h = yield* twoHomes
        const invite = yield* h.alice(createInvite)
        const before = yield* h.alice(Effect.flatMap(Store, (s) => s.list(CloudLayout.invitesDir)))
        assert.strictEqual(before.length, 1)
        // Unreachable relay: nothing changes, the secret stays for a retry.
        h.relay.fail("revokeInvite", networkDown())
        assert.isTrue(Either.isLeft(yield* Effect.either(h.alice(withdrawInvite(invite.code)))))
        assert.strictEqual((yield* h.alice(Effect.flatMap(Store, (s) => s.list(CloudLayout.invitesDir)))).length, 1)
        assert.deepStrictEqual(yield* h.alice(withdrawInvite(invite.code)), { withdrawn: true, secretRemoved: true })
        assert.deepStrictEqual(yield* h.alice(Effect.flatMap(Store, (s) => s.list(CloudLayout.invitesDir))), [])
        const redeemed = yield* Effect.either(h.bob(addContact(invite.code)))
        assert.isTrue(Either.isLeft(redeemed) && redeemed.left.code === "INVITE_INVALID")
        const again = yield* Effect.either(h.alice(withdrawInvite(invite.code)))
        assert.isTrue(Either.isLeft(again) && again.left.code === "INVITE_INVALID")
        const garbage = yield* Effect.either(h.alice(withdrawInvite("not a code")))
        assert.isTrue(Either.isLeft(garbage) && garbage.left.code === "INVITE_CODE_INVALID")
      })
  )
})
