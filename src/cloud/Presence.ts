import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Sessions } from "../bridge/Sessions.js"
import type { MessageId } from "../domain/Ulid.js"
import { fromUtf8, utf8 } from "../protocol/Bytes.js"
import { decodeEnvelope, encodeEnvelope, open, seal } from "../protocol/Envelope.js"
import { acceptEncryptionKey } from "../protocol/Keys.js"
import type { AccountId, EncryptionKeyRecord } from "../protocol/WireSchemas.js"
import { Ids } from "../services/Ids.js"
import type { Account } from "./Account.js"
import { CloudHome } from "./CloudHome.js"
import { syncContacts } from "./Contacts.js"
import { type ContactPresence, type PinnedContact, type PresenceCache, RemoteSession } from "./CloudState.js"
import { receiverOf } from "./Inbound.js"
import { readPresence, writePresence } from "./PresenceCache.js"
import { RelayClient } from "./RelayClient.js"
import type { RelayContact } from "./RelayWire.js"

/*
 * Presence (CLOUD.md 2.9): one sealed blob per active contact with this machine's live sessions. A blob is an sb1
 * envelope (inner kind "presence", the session list as its body) sealed to the contact's current encryption key and
 * signed by this identity, so the relay can neither read it nor forge or move it to another viewer. Its JSON must
 * fit the relay's 8 KiB presence cap: at most 10 sessions, labels and cwds cut to length.
 */

export const MAX_PRESENCE_SESSIONS = 10
const MAX_LABEL = 64
const MAX_CWD = 200

const PresenceBody = Schema.parseJson(Schema.Struct({ sessions: Schema.Array(RemoteSession) }))
const encodeBody = Schema.encodeSync(PresenceBody)
const decodeBody = Schema.decodeUnknownOption(PresenceBody)

/** This machine's live sessions as a contact sees them. */
export const localSessions = Effect.gen(function* () {
  const live = yield* (yield* Sessions).list()
  return live.slice(0, MAX_PRESENCE_SESSIONS).map(({ record }): RemoteSession => ({
    label: record.label.slice(0, MAX_LABEL),
    cli: record.provider,
    cwd: record.cwd.slice(0, MAX_CWD),
    since: DateTime.toEpochMillis(record.createdAt),
    lastSeen: DateTime.toEpochMillis(record.lastSeen)
  }))
})

/**
 * The encryption-key record to seal to for a pinned contact: the relay's newest one, verified against the pinned
 * identity key and never a lower seq than seen. A newer verified record is saved on the pin. None when the relay
 * has none or it does not verify (the caller skips that contact).
 */
export const sealableKey = (contact: PinnedContact, listed: ReadonlyArray<RelayContact>) =>
  Effect.gen(function* () {
    const record = listed.find((r) => r.accountId === contact.accountId)?.ek
    if (record === undefined || record === null) return Option.none<EncryptionKeyRecord>()
    const accepted = yield* Effect.either(acceptEncryptionKey(contact.ikPub, record, Option.fromNullable(contact.ek)))
    if (accepted._tag === "Left") return Option.none<EncryptionKeyRecord>()
    if (contact.ek === undefined || accepted.right.seq > contact.ek.seq) {
      const home = yield* CloudHome
      yield* home.writeContacts(
        (yield* home.contacts).map((c) => (c.accountId === contact.accountId ? { ...c, ek: accepted.right } : c))
      )
    }
    return Option.some(accepted.right)
  })

/** Publishes this machine's live sessions to every active contact (`PUT /v1/presence`). */
export const publishPresence = (account: Account, listed: ReadonlyArray<RelayContact>) =>
  Effect.gen(function* () {
    const ids = yield* Ids
    const now = yield* Clock.currentTimeMillis
    const sessions = yield* localSessions
    const body = encodeBody({ sessions })
    const active = (yield* (yield* CloudHome).contacts).filter((c) => c.state === "active")
    const blobs: Array<readonly [AccountId, Uint8Array]> = []
    for (const contact of active) {
      const ek = yield* sealableKey(contact, listed)
      if (Option.isNone(ek)) continue
      const sealed = yield* Effect.either(
        seal({
          id: (yield* ids.next) as MessageId,
          exp: Math.floor(now / 1000) + 24 * 60 * 60,
          from: { accountId: account.credentials.accountId, identity: account.identity },
          to: { accountId: contact.accountId, handle: contact.handle, ikPub: contact.ikPub, ek: ek.value },
          inner: { kind: "presence", ts: now, fromHandle: account.credentials.handle, to: { any: true }, body }
        })
      )
      if (sealed._tag === "Right") blobs.push([contact.accountId, utf8(JSON.stringify(encodeEnvelope(sealed.right)))])
    }
    if (blobs.length > 0) yield* (yield* RelayClient).putPresence(account.credentials.token, blobs)
    return { contacts: blobs.length, sessions: sessions.length }
  })

/**
 * Fetches the presence contacts left for this account (`GET /v1/presence`), keeps what opens and verifies against an
 * active pin (anything else is dropped, whatever the relay serves) and is not older than the cached publication of
 * that contact, and replaces the presence cache with it.
 */
export const fetchPresence = (account: Account) =>
  Effect.gen(function* () {
    const blobs = yield* (yield* RelayClient).presence(account.credentials.token)
    const pins = (yield* (yield* CloudHome).contacts).filter((c) => c.state === "active")
    const receiver = yield* receiverOf(account.credentials)
    const contacts: Array<ContactPresence> = []
    let dropped = 0
    for (const blob of blobs) {
      const contact = pins.find((c) => c.accountId === blob.from)
      const text = fromUtf8(blob.blob)
      const opened =
        contact === undefined || Option.isNone(text)
          ? undefined
          : yield* Effect.option(
              Effect.flatMap(
                Effect.flatMap(
                  Effect.try(() => JSON.parse(text.value) as unknown),
                  decodeEnvelope
                ),
                (envelope) => open(envelope, contact, receiver)
              )
            )
      const sessions =
        opened !== undefined && Option.isSome(opened) && opened.value.inner.kind === "presence"
          ? decodeBody(opened.value.inner.body ?? "")
          : Option.none()
      if (contact === undefined || opened === undefined || Option.isNone(opened) || Option.isNone(sessions)) {
        dropped++
        continue
      }
      const previous = contacts.findIndex((p) => p.accountId === contact.accountId)
      const entry = {
        handle: contact.handle,
        accountId: contact.accountId,
        publishedAt: opened.value.inner.ts,
        sessions: sessions.value.sessions
      }
      if (previous < 0) contacts.push(entry)
      else if (contacts[previous]!.publishedAt < entry.publishedAt) contacts[previous] = entry
    }
    // Presence never goes back in time: an older publication than the one cached (a relay replaying an old blob)
    // leaves the cached one in place.
    const previous = Option.match(yield* readPresence, { onNone: () => [], onSome: (c) => c.contacts })
    for (const [i, entry] of contacts.entries()) {
      const cached = previous.find((p) => p.accountId === entry.accountId)
      if (cached !== undefined && cached.publishedAt > entry.publishedAt) contacts[i] = cached
    }
    const cache: PresenceCache = { v: 1, fetchedAt: yield* Clock.currentTimeMillis, contacts }
    yield* writePresence(cache)
    return { cache, dropped }
  })

/**
 * `contact sessions [handle]`: contacts' states and presence asked of the relay now (the cache is rewritten);
 * when the relay cannot be reached, the cache as last written, marked stale.
 */
export const contactSessions = (account: Account) =>
  Effect.gen(function* () {
    const relay = yield* RelayClient
    const fresh = yield* Effect.either(
      Effect.flatMap(relay.contacts(account.credentials.token), (listed) =>
        Effect.zipRight(syncContacts(listed), fetchPresence(account))
      )
    )
    if (fresh._tag === "Right") return { stale: false, error: undefined, cache: fresh.right.cache }
    const cached = yield* readPresence
    return {
      stale: true,
      error: `${String(fresh.left.code)}: ${fresh.left.message}`,
      cache: Option.getOrElse(cached, (): PresenceCache => ({ v: 1, fetchedAt: 0, contacts: [] }))
    }
  })
