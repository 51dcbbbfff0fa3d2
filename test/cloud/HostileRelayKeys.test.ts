import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { requireAccount } from "../../src/cloud/Account.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { acceptContact, addContact, createInvite, syncContacts, verifyContact } from "../../src/cloud/Contacts.js"
import { fetchPresence, publishPresence } from "../../src/cloud/Presence.js"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { makeOffer, makeReply, newInvite } from "../../src/protocol/Invite.js"
import { generateEncryptionKey } from "../../src/protocol/Keys.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import { account, T0 } from "../protocol/support.js"
import { hostileHomes, poll, sendFrom, sentState, strangers } from "./hostileHomes.js"

/*
 * What a hostile relay answers about keys (docs/cloud.md "What is proven"): it substitutes its own keys in an
 * invite's offer or reply, in the contact list (identity and encryption key), serves a rolled-back encryption key,
 * and replays an old presence blob. Every substitution is refused; the pins and the safety number never move.
 */

const DAY = 86_400_000
const pinOf = (handle: string) =>
  Effect.map(
    Effect.flatMap(CloudHome, (h) => h.contacts),
    (pins) => Option.fromNullable(pins.find((c) => c.handle === handle))
  )
const contactsAtRelay = (token: string) => Effect.flatMap(RelayClient, (r) => r.contacts(token))

/** The relay's own party: fresh keys claiming `handle`'s account (what it would put in an offer or a reply). */
const impostor = (handle: string, accountId: string) =>
  Effect.map(account("mallory", 7), (m) => ({
    identity: m.identity,
    handle: handle as Handle,
    accountId: accountId as never,
    ek: m.ek.record
  }))

describe("a hostile relay, keys", () => {
  it.scoped("an offer with the relay's keys in it is refused by `contact add`: no pin, nothing redeemed", () =>
    Effect.gen(function* () {
      const h = yield* strangers
      const invite = yield* h.alice(createInvite)
      const fake = yield* h.bob(impostor("alice", h.ids.alice))
      const { secret } = yield* h.bob(newInvite)
      const { offer } = yield* h.bob(makeOffer(secret, fake, T0 + DAY))
      h.hostile.tamper({ lookupInvite: (found) => ({ ...found, offer }) })
      const added = yield* Effect.either(h.bob(addContact(invite.code)))
      assert.strictEqual(added._tag, "Left")
      assert.isTrue(Option.isNone(yield* h.bob(pinOf("alice"))))
      assert.isUndefined(h.fake.contactState(h.ids.alice, h.ids.bob), "the invite was not redeemed")
      // The same code works once the relay serves the genuine offer.
      h.hostile.honest()
      assert.strictEqual((yield* h.bob(addContact(invite.code))).handle, "alice")
    })
  )

  it.scoped("a reply with the relay's keys in it is refused by `contact accept`: the redeemer is not pinned", () =>
    Effect.gen(function* () {
      const h = yield* strangers
      const invite = yield* h.alice(createInvite)
      const added = yield* h.bob(addContact(invite.code))
      const fake = yield* h.alice(impostor("bob", h.ids.bob))
      const { secret } = yield* h.alice(newInvite)
      const real = yield* h.alice(Effect.flatMap(RelayClient, (r) => r.redeemedInvites(h.tokens.alice)))
      const reply = yield* h.alice(makeReply(secret, new Uint8Array(real[0]!.reply!.length), fake))
      h.hostile.tamper({ redeemedInvites: (list) => list.map((i) => ({ ...i, reply })) })
      const accepted = yield* Effect.either(h.alice(acceptContact("bob" as Handle)))
      assert.strictEqual(accepted._tag, "Left")
      assert.isTrue(Option.isNone(yield* h.alice(pinOf("bob"))))
      assert.strictEqual(h.fake.contactState(h.ids.alice, h.ids.bob), "pending")
      h.hostile.honest()
      const genuine = yield* h.alice(acceptContact("bob" as Handle))
      assert.strictEqual(genuine.safetyNumber, added.safetyNumber, "the genuine keys give both sides one number")
    })
  )

  it.scoped("keys substituted in the contact list: KEY_CHANGED, the pin and safety number stay, sends refused", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      const before = yield* h.alice(verifyContact("bob"))
      const fake = yield* h.alice(impostor("bob", h.ids.bob))
      h.hostile.tamper({
        contacts: (rows) =>
          rows.map((r) => (r.handle === "bob" ? { ...r, ikPub: fake.identity.publicKey, ek: fake.ek } : r))
      })
      const sync = yield* h.alice(Effect.flatMap(contactsAtRelay(h.tokens.alice), syncContacts))
      assert.deepStrictEqual(sync.keyChanged, ["bob"])
      assert.deepStrictEqual(yield* h.alice(verifyContact("bob")), before)
      const sentBefore = h.hostile.sent.length
      const { id, pumped } = yield* sendFrom(h.alice, "bob", "to the wrong key?")
      assert.deepStrictEqual(pumped, { stored: 0, refused: 1, retrying: 0 })
      assert.deepStrictEqual(yield* sentState(h.alice, id), Option.some("refused:key_changed"))
      assert.strictEqual(h.hostile.sent.length, sentBefore, "nothing was sealed to the relay's key")
    })
  )

  it.scoped("a rolled-back encryption key is refused: nothing is sealed to the older key again", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      const old = (yield* h.alice(contactsAtRelay(h.tokens.alice))).find((r) => r.handle === "bob")!.ek!
      // bob rotates: a newer key, published; alice's next send pins it.
      yield* h.bob(
        Effect.gen(function* () {
          const me = yield* requireAccount
          const ek = yield* generateEncryptionKey(me.identity, {
            keyId: "ek_rotated" as never,
            notBefore: T0 - 1000,
            notAfter: T0 + 30 * DAY,
            seq: old.seq + 1
          })
          yield* (yield* CloudHome).writeEncryptionKey({
            v: 1,
            keyId: ek.record.keyId,
            record: ek.record,
            privateKey: ek.privateKey
          })
          yield* (yield* RelayClient).publishEk(me.credentials.token, ek.record)
        })
      )
      yield* sendFrom(h.alice, "bob", "to the new key")
      assert.strictEqual(h.hostile.sent.at(-1)!.envelope.rk, "ek_rotated")
      h.hostile.tamper({ contacts: (rows) => rows.map((r) => (r.handle === "bob" ? { ...r, ek: old } : r)) })
      const { id, pumped } = yield* sendFrom(h.alice, "bob", "to the old key?")
      assert.deepStrictEqual(pumped, { stored: 0, refused: 1, retrying: 0 })
      assert.deepStrictEqual(yield* sentState(h.alice, id), Option.some("refused:key_changed"))
      assert.strictEqual(h.hostile.sent.at(-1)!.envelope.rk, "ek_rotated", "no envelope to the old key")
      assert.strictEqual((yield* poll(h.bob)).delivered, 1)
    })
  )

  it.scoped("an old presence blob replayed after a newer one leaves the newer one cached", () =>
    Effect.gen(function* () {
      const h = yield* hostileHomes
      const publish = Effect.gen(function* () {
        const me = yield* requireAccount
        return yield* publishPresence(me, yield* contactsAtRelay(me.credentials.token))
      })
      const register = (label: string) =>
        Effect.flatMap(Sessions, (s) => s.register({ label, cwd: `/work/${label}`, provider: "codex" }))
      yield* h.alice(register("web"))
      yield* h.alice(publish)
      const oldBlob = h.fake.presenceOf(h.ids.alice, h.ids.bob)!
      yield* TestClock.adjust("30 seconds")
      yield* h.alice(register("docs"))
      yield* h.alice(publish)
      const fetch = h.bob(Effect.flatMap(requireAccount, fetchPresence))
      const fresh = (yield* fetch).cache.contacts.find((c) => c.handle === "alice")!
      assert.deepStrictEqual(fresh.sessions.map((s) => s.label).sort(), ["docs", "web"])
      h.hostile.tamper({
        presence: (blobs) => blobs.map((b) => (b.from === h.ids.alice ? { ...b, blob: oldBlob } : b))
      })
      const replayed = (yield* fetch).cache.contacts.find((c) => c.handle === "alice")!
      assert.strictEqual(replayed.publishedAt, fresh.publishedAt)
      assert.deepStrictEqual(replayed.sessions.map((s) => s.label).sort(), ["docs", "web"])
    })
  )
})
