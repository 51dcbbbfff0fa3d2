import { Effect, Layer, Option, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Surfacing } from "../../src/bridge/Surfacing.js"
import { MAX_ENTRIES, renderInboxBlock } from "../../src/domain/InboxBlock.js"
import { requireAccount } from "../../src/cloud/Account.js"
import { acceptContact, addContact, createInvite, syncContacts } from "../../src/cloud/Contacts.js"
import { pollOnce } from "../../src/cloud/Inbound.js"
import { pumpOnce, queueMessage } from "../../src/cloud/Outbox.js"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { register } from "../../src/cloud/Register.js"
import type { MessageId } from "../../src/domain/Ulid.js"
import { listInbox } from "../../src/mcp/tools/MessageTools.js"
import type { Handle } from "../../src/protocol/WireSchemas.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store } from "../../src/services/store/Store.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { call } from "../bridge/support.js"
import { T0 } from "../protocol/support.js"
import { makeFakeRelay } from "../support/FakeRelay.js"
import { makeHostileRelay } from "../support/HostileRelay.js"
import { homeLayer, inHome } from "./homes.js"

/*
 * Three homes (alice, bob, carol) on memory stores behind one hostile relay (test/support/HostileRelay.ts) that
 * starts honest: each is a contact of the two others, every pin synced active, and bob and carol each have a live
 * session "api". Helpers send from one home and look at everything another one surfaces.
 */

export const URL = "http://127.0.0.1:8788"

/** Makes `handle` (in `inviter`'s home) and the redeemer contacts, both pins active. */
const connect = (inviter: Home, redeemer: Home, redeemerHandle: string) =>
  Effect.gen(function* () {
    const invite = yield* inviter(createInvite)
    yield* redeemer(addContact(invite.code))
    yield* inviter(acceptContact(redeemerHandle as Handle))
    yield* redeemer(syncNow)
  })

type Home = <A, E>(effect: Effect.Effect<A, E, any>) => Effect.Effect<A, E>

const syncNow = Effect.gen(function* () {
  const account = yield* requireAccount
  return yield* syncContacts(yield* (yield* RelayClient).contacts(account.credentials.token))
})

const liveSession = Effect.flatMap(Sessions, (s) => s.register({ label: "api", cwd: "/work/api", provider: "codex" }))

const makeHomes = (connected: boolean) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const fake = makeFakeRelay()
    const hostile = makeHostileRelay(fake.client)
    const relay = { ...fake, layer: hostile.layer }
    const build = (seed: string) =>
      Effect.flatMap(makeMemory, (store) => Effect.map(Layer.build(homeLayer(store, relay, seed)), inHome))
    const alice = yield* build("alice-home")
    const bob = yield* build("bob-home")
    const carol = yield* build("carol-home")
    const a = yield* alice(register({ relayUrl: URL, handle: "alice" as Handle }))
    const b = yield* bob(register({ relayUrl: URL, handle: "bob" as Handle }))
    const c = yield* carol(register({ relayUrl: URL, handle: "carol" as Handle }))
    if (connected) {
      yield* connect(alice, bob, "bob")
      yield* connect(alice, carol, "carol")
      yield* connect(bob, carol, "carol")
    }
    const bobApi = yield* bob(liveSession)
    const carolApi = yield* carol(liveSession)
    const tokenOf = (home: Home) => home(Effect.map(requireAccount, (acc) => acc.credentials.token))
    return {
      fake,
      hostile,
      alice,
      bob,
      carol,
      ids: { alice: a.accountId, bob: b.accountId, carol: c.accountId },
      tokens: { alice: yield* tokenOf(alice), bob: yield* tokenOf(bob), carol: yield* tokenOf(carol) },
      bobApi,
      carolApi
    }
  })
/** The three homes, each a contact of the two others. */
export const hostileHomes = makeHomes(true)
/** The three homes, registered, with no contacts yet. */
export const strangers = makeHomes(false)
export type Homes = Effect.Effect.Success<typeof hostileHomes>

let counter = 0
/** Queues a message from `home` to `contact` and pumps it once; returns its id. */
export const sendFrom = (home: Home, contact: string, subject: string) =>
  home(
    Effect.gen(function* () {
      const id = `01JG${String(++counter).padStart(22, "0")}` as MessageId
      yield* queueMessage({ id, contact: contact as Handle, to: { label: "api" }, subject, body: `${subject} body` })
      const pumped = yield* pumpOnce((yield* requireAccount).credentials)
      return { id, pumped }
    })
  )

/** One poll of `home`'s daemon. */
export const poll = (home: Home) => home(Effect.flatMap(requireAccount, (acc) => pollOnce(acc.credentials, 0)))

/**
 * Everything a home surfaces: its session's bridge_list_inbox (subjects), the entries the hook's block would show,
 * its inbox files, its held and its quarantined messages.
 */
export const surfaced = (home: Home, session: Homes["bobApi"]) =>
  home(
    Effect.gen(function* () {
      const store = yield* Store
      const listed = yield* call(listInbox, session, { all: true, limit: 1000 })
      const files = yield* store.list(`inbox/${session.sessionId}`)
      const held = yield* store.list(CloudLayout.unroutedDir)
      const quarantined = yield* store.list(CloudLayout.quarantineDir)
      // The block the hook would show at the next prompt (read without marking anything surfaced).
      const pending = yield* (yield* Surfacing).unsurfaced(session.sessionId, MAX_ENTRIES)
      const block = renderInboxBlock(pending.entries, pending.waiting - pending.entries.length)
      return {
        subjects: (listed.entries as Array<{ subject: string }>).map((e) => e.subject).sort(),
        hookBlock: block.shown.length,
        files: files.length,
        held: held.length,
        quarantined: quarantined.length
      }
    })
  )

export const sentState = (home: Home, id: MessageId) =>
  home(
    Effect.flatMap(Store, (s) =>
      Effect.map(s.readText(CloudLayout.sent(id)), (t) => Option.map(t, (text) => JSON.parse(text).state as string))
    )
  )
