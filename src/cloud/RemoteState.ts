import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { ContactStanding, Delivery, RemoteQueueInput, RemoteSessionInfo } from "../bridge/RemoteSends.js"
import { Store } from "../services/store/Store.js"
import { CloudLayout } from "./CloudLayout.js"
import { ContactsFile, OutboxEntry } from "./CloudState.js"
import { PRESENCE_STALE_MS, readPresence } from "./PresenceCache.js"

/*
 * The cloud state files RemoteSends reads and writes (contacts, outbox and sent entries, the presence cache), all
 * through the Store. Loaded by RemoteSendsLayer on first use, so an MCP server that never meets the cloud layer
 * never parses it; the sealing code (Outbox.ts's imports) loads later still, at the first queued message.
 */

/** A contact's presence is shown while the daemon counts it online (PresenceCache.ts: three intervals, 90 s). */
export const PRESENCE_SHOWN_MS = PRESENCE_STALE_MS

const decodeContacts = Schema.decodeUnknownOption(Schema.parseJson(ContactsFile))
const decodeEntry = Schema.decodeUnknownOption(Schema.parseJson(OutboxEntry))

/** The delivery a stored outbox or sent entry stands for. */
export const deliveryOf = (entry: OutboxEntry): Delivery =>
  entry.state.startsWith("refused:")
    ? { state: "refused", at: entry.updatedAt, reason: entry.state.slice("refused:".length) }
    : { state: entry.state as Exclude<Delivery["state"], "refused">, at: entry.updatedAt }

const readEntry = (path: string) =>
  Effect.flatMap(Store, (store) => Effect.map(store.readText(path), (text) => Option.flatMap(text, decodeEntry)))

export const standing = (handle: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    if (Option.isNone(yield* store.stat(CloudLayout.credentials))) return "not_configured" as ContactStanding
    const file = Option.flatMap(yield* store.readText(CloudLayout.contacts), decodeContacts)
    const contact = Option.flatMap(file, (f) => Option.fromNullable(f.contacts.find((c) => c.handle === handle)))
    return Option.match(contact, { onNone: () => "unknown" as ContactStanding, onSome: (c) => c.state })
  })

export const outboxFile = (input: RemoteQueueInput) =>
  Effect.gen(function* () {
    const { outboxFile } = yield* Effect.promise(() => import("./Outbox.js"))
    return yield* outboxFile({
      id: input.id,
      contact: input.contact as OutboxEntry["contact"],
      to: input.label !== undefined ? { label: input.label } : { any: true },
      fromSession: input.fromSession,
      subject: input.subject,
      body: input.body,
      ...(input.threadId !== undefined ? { threadId: input.threadId } : {}),
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
      ...(input.artifacts.length > 0
        ? {
            artifacts: input.artifacts.map((a) => ({
              sha256: a.sha256,
              size: a.size,
              ...(a.name !== undefined ? { name: a.name } : {}),
              mime: a.mimeType
            }))
          }
        : {})
    })
  })

export const delivery = (id: string) =>
  Effect.gen(function* () {
    if (!/^[0-9A-Z]{26}$/.test(id)) return Option.none<Delivery>()
    const sent = yield* readEntry(CloudLayout.sent(id))
    const entry = Option.isSome(sent) ? sent : yield* readEntry(CloudLayout.outbox(id))
    return Option.map(entry, deliveryOf)
  })

export const sessions = Effect.gen(function* () {
  const cache = yield* readPresence
  const now = yield* Clock.currentTimeMillis
  if (Option.isNone(cache)) return []
  return cache.value.contacts
    .filter((c) => now - c.publishedAt <= PRESENCE_SHOWN_MS)
    .flatMap((c) =>
      c.sessions.map((s): RemoteSessionInfo => ({
        contact: c.handle,
        label: s.label,
        cli: s.cli,
        cwd: s.cwd,
        since: s.since,
        lastSeen: s.lastSeen
      }))
    )
})
