import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Store } from "../services/Store.js"
import { CloudLayout } from "./CloudLayout.js"
import { type ContactPresence, PresenceCache } from "./CloudState.js"

/*
 * The presence cache (`cloud/presence.json`): the seam between the daemon, which fetches and verifies contacts'
 * presence, and its readers (`contact sessions`, `bridge_list_sessions`). Only the Store is needed to read it, so a
 * reader loads no crypto and no HTTP client.
 */

/** Presence is published every 30 s; a publication older than three intervals counts as offline. */
export const PRESENCE_INTERVAL_MS = 30_000
export const PRESENCE_FETCH_MS = 15_000
export const PRESENCE_STALE_MS = 90_000

const decode = Schema.decodeUnknownOption(Schema.parseJson(PresenceCache))

/** The cache as last written, or none (no fetch yet, or a file that does not decode). */
export const readPresence = Effect.flatMap(Store, (store) =>
  Effect.map(store.readText(CloudLayout.presence), (text) => Option.flatMap(text, decode))
)

export const writePresence = (cache: PresenceCache) =>
  Effect.flatMap(Store, (store) =>
    store.write(CloudLayout.presence, JSON.stringify(Schema.encodeSync(PresenceCache)(cache), null, 2) + "\n")
  )

/** Contacts whose last publication is recent enough to count as online, with their sessions. */
export const liveContacts = (cache: Option.Option<PresenceCache>, now: number): ReadonlyArray<ContactPresence> =>
  Option.match(cache, {
    onNone: () => [],
    onSome: (c) => c.contacts.filter((p) => now - p.publishedAt <= PRESENCE_STALE_MS && p.sessions.length > 0)
  })

/** `liveContacts` at the current time, read from the store. */
export const liveRemoteSessions = Effect.gen(function* () {
  const cache = yield* readPresence
  return liveContacts(cache, yield* Clock.currentTimeMillis)
})
