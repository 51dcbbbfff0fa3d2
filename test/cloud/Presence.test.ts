import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { Sessions } from "../../src/bridge/Sessions.js"
import { requireAccount } from "../../src/cloud/Account.js"
import { syncContacts } from "../../src/cloud/Contacts.js"
import { fetchPresence, publishPresence } from "../../src/cloud/Presence.js"
import { liveContacts, readPresence } from "../../src/cloud/PresenceCache.js"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { befriend, twoHomes } from "./homes.js"

const publish = Effect.gen(function* () {
  const account = yield* requireAccount
  const listed = yield* (yield* RelayClient).contacts(account.credentials.token)
  return yield* publishPresence(account, listed)
})

const fetch = Effect.flatMap(requireAccount, fetchPresence)

describe("presence", () => {
  it.scoped("a contact's live sessions are sealed to it, fetched, verified and cached", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* befriend(h)
      yield* h.bob(
        Effect.flatMap(Sessions, (s) =>
          Effect.zipRight(
            s.register({ label: "api", cwd: "/work/api", provider: "codex" }),
            s.register({ label: "web", cwd: "/work/web", provider: "claude-code" })
          )
        )
      )
      // bob's pin is still pending until his side syncs: he publishes to active contacts only.
      assert.strictEqual((yield* h.bob(publish)).contacts, 0)
      yield* h.bob(
        Effect.gen(function* () {
          const account = yield* requireAccount
          yield* syncContacts(yield* (yield* RelayClient).contacts(account.credentials.token))
          return yield* publish
        })
      )
      const blob = h.relay.presenceOf(h.bobId, h.aliceId)
      assert.isDefined(blob)
      assert.notInclude(new TextDecoder().decode(blob), "/work/api", "the relay sees no cwd")
      const { cache, dropped } = yield* h.alice(fetch)
      assert.strictEqual(dropped, 0)
      assert.strictEqual(cache.contacts.length, 1)
      assert.strictEqual(cache.contacts[0]!.handle, "bob")
      assert.deepStrictEqual(cache.contacts[0]!.sessions.map((s) => s.label).sort(), ["api", "web"])
      assert.strictEqual(cache.contacts[0]!.sessions.find((s) => s.label === "api")!.cwd, "/work/api")
      const stored = yield* h.alice(readPresence)
      assert.isTrue(Option.isSome(stored))
      const now = cache.fetchedAt
      assert.strictEqual(liveContacts(stored, now).length, 1)
      assert.strictEqual(liveContacts(stored, now + 91_000).length, 0, "older than 90 s counts as offline")
    })
  )

  it.scoped("a blob the relay moves to another viewer, or one from a stranger, is dropped", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* befriend(h)
      yield* TestClock.adjust(1)
      yield* h.alice(publish)
      const sealedForBob = h.relay.presenceOf(h.aliceId, h.bobId)!
      // The relay serves alice's blob for bob to alice herself, claiming it is from bob.
      h.relay.injectPresence(h.bobId, h.aliceId, sealedForBob)
      const { cache, dropped } = yield* h.alice(fetch)
      assert.strictEqual(dropped, 1)
      assert.deepStrictEqual(cache.contacts, [])
    })
  )
})
