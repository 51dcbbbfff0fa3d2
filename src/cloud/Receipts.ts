import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Envelopes } from "../bridge/Envelopes.js"
import { Layout } from "../domain/Layout.js"
import { MessageId } from "../domain/Ulid.js"
import type { Inner } from "../protocol/WireSchemas.js"
import { Ids } from "../services/Ids.js"
import { Store } from "../services/store/Store.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { OutboxEntry, type OutboxState, type PinnedContact, ReceiptState } from "./CloudState.js"
import { queueMessage } from "./Outbox.js"

/*
 * Receipts (CLOUD.md 2.8): the recipient's side reports `surfaced` (its hook showed the message, or a wait returned
 * it) and `read` (marked read) back to the sender, sealed like a message (inner kind "receipt", `replyTo` the
 * sender's id, `body` the state). The hook writes only its usual markers; `queueReceipts`, run by the daemon, turns
 * new markers on remote messages into outbox entries. On the sender's side `applyReceipt` moves `sent/<id>` forward;
 * the relay can neither read nor forge one, and a receipt is never an inbox entry.
 */

const RANK: Record<string, number> = { queued: 0, stored: 1, delivered: 2, surfaced: 3, read: 4 }
const rankOf = (state: OutboxState | undefined) => (state === undefined ? -1 : (RANK[state] ?? -1))

const decodeEntry = Schema.decodeUnknownOption(Schema.parseJson(OutboxEntry))
const isReceiptState = Schema.is(ReceiptState)
const isMessageId = Schema.is(MessageId)

export interface ReceiptsQueued {
  readonly surfaced: number
  readonly read: number
}

/**
 * Queues one receipt per remote message whose state moved past the last one reported: every local inbox is
 * scanned for messages from active contacts, and their read / surfaced markers compared with `cloud/receipts/`.
 */
export const queueReceipts = Effect.gen(function* () {
  const store = yield* Store
  const envelopes = yield* Envelopes
  const ids = yield* Ids
  const active = new Set((yield* (yield* CloudHome).contacts).filter((c) => c.state === "active").map((c) => c.handle))
  const counts = { surfaced: 0, read: 0 }
  if (active.size === 0) return counts
  for (const sessionId of yield* store.list("inbox")) {
    const remote = (yield* envelopes.readDir(Layout.inboxDir(sessionId)))
      .map((s) => s.envelope)
      .filter((e) => e.origin === "remote" && e.remoteId !== undefined && active.has(e.from.contact ?? ""))
    if (remote.length === 0) continue
    const [read, surfaced] = yield* Effect.all([
      store.list(Layout.readDir(sessionId)),
      store.list(Layout.surfacedDir(sessionId))
    ])
    const readSet = new Set(read)
    const surfacedSet = new Set(surfaced)
    for (const e of remote) {
      const state = readSet.has(e.id) ? "read" : surfacedSet.has(e.id) ? "surfaced" : undefined
      if (state === undefined) continue
      const last = Option.map(yield* store.readText(CloudLayout.receipt(e.id)), (t) => t.trim())
      if (Option.isSome(last) && rankOf(last.value as OutboxState) >= rankOf(state)) continue
      const id = yield* Schema.decode(MessageId)(yield* ids.next).pipe(Effect.orDie)
      yield* queueMessage({
        id,
        contact: e.from.contact as PinnedContact["handle"],
        to: { any: true },
        subject: "",
        body: "",
        replyTo: e.remoteId!,
        receipt: state
      })
      yield* store.write(CloudLayout.receipt(e.id), `${state}\n`)
      counts[state]++
    }
  }
  return counts
})

/**
 * A receipt from `contact`: `sent/<replyTo>` moves forward to the reported state when that message went to this
 * contact and had not got further; anything else is ignored. True when a state changed.
 */
export const applyReceipt = (contact: PinnedContact, inner: Inner) =>
  Effect.gen(function* () {
    const store = yield* Store
    const id = inner.replyTo
    const state = inner.body
    if (id === undefined || !isMessageId(id) || !isReceiptState(state)) return false
    const entry = Option.flatMap(yield* store.readText(CloudLayout.sent(id)), decodeEntry)
    if (Option.isNone(entry) || entry.value.contact !== contact.handle || entry.value.receipt !== undefined)
      return false
    if (rankOf(entry.value.state) < 0 || rankOf(entry.value.state) >= rankOf(state)) return false
    const updated = { ...entry.value, state, updatedAt: yield* Clock.currentTimeMillis }
    yield* store.write(CloudLayout.sent(id), JSON.stringify(Schema.encodeSync(OutboxEntry)(updated), null, 2) + "\n")
    return true
  })
