import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Envelopes } from "../bridge/Envelopes.js"
import { Layout } from "../domain/Layout.js"
import { MessageId } from "../domain/Ulid.js"
import { type Inner, RECEIPTS_MAX } from "../protocol/WireSchemas.js"
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
 * new markers on remote messages into outbox entries. To a contact whose daemon said it opens them, the receipts
 * a scan finds go as lists (inner kind "receipts", up to RECEIPTS_MAX each; ADR-0058). On the sender's side
 * `applyReceipts` moves `sent/<id>` forward; the relay can neither read nor forge one, and a receipt is never an
 * inbox entry.
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

/** Per session, the markers (`read/<id>`, `surfaced/<id>`) a scan has finished with: a receipt owed was queued. */
interface SessionMarkers {
  readonly read: Set<string>
  readonly surfaced: Set<string>
  /** The listings of a scan that left nothing to look at again: the same arrays back mean nothing new. */
  listed?: readonly [ReadonlyArray<string>, ReadonlyArray<string>] | undefined
}
type Handled = Map<string, SessionMarkers>

/** Waited on before each receipt is queued (the daemon's gate: a batch of messages being written goes first). */
export type BeforeReceipt = Effect.Effect<void>

/** A receipt a scan found owed: the local message, the sender's id for it, and what to remember once queued. */
interface Owed {
  readonly localId: string
  readonly remoteId: string
  readonly contact: PinnedContact
  readonly state: ReceiptState
  readonly finished: () => void
}

/** Whether `contact`'s daemon opens kind `receipts`: its last message or receipt said so (ADR-0058). */
const takesLists = (contact: PinnedContact) =>
  Effect.flatMap(Store, (store) => Effect.map(store.stat(CloudLayout.receiptLists(contact.accountId)), Option.isSome))

/**
 * Queues the receipts owed to one contact: in lists of up to RECEIPTS_MAX (one outbox entry, one envelope each)
 * when its daemon takes them, else one entry each. Each entry gets a fresh id and holds its set from the start, so
 * a retry sends the same set under the same id; `cloud/receipts/<id>` records each state once its entry is queued.
 */
const queueOwed = (contact: PinnedContact, owed: ReadonlyArray<Owed>, before: BeforeReceipt) =>
  Effect.gen(function* () {
    const store = yield* Store
    const ids = yield* Ids
    const size = (yield* takesLists(contact)) ? RECEIPTS_MAX : 1
    for (let i = 0; i < owed.length; i += size) {
      const group = owed.slice(i, i + size)
      const first = group[0]!
      yield* before
      const id = yield* Schema.decode(MessageId)(yield* ids.next).pipe(Effect.orDie)
      yield* queueMessage({
        id,
        contact: contact.handle,
        to: { any: true },
        subject: "",
        body: "",
        replyTo: first.remoteId,
        receipt: first.state,
        ...(size > 1 ? { receipts: group.map((o) => ({ replyTo: o.remoteId, state: o.state })) } : {})
      })
      for (const o of group) {
        yield* store.write(CloudLayout.receipt(o.localId), `${o.state}\n`)
        o.finished()
      }
    }
  })

/**
 * One scan: every local inbox's read / surfaced markers are listed and those not in `handled` looked at. A marker
 * on a message from an active contact whose state moved past `cloud/receipts/<id>` owes one receipt; once the
 * scan has looked at every inbox, the receipts owed are queued per contact (`queueOwed`), each file recording the
 * state, and the marker joins `handled` only after that (or when no receipt can ever be owed for it: a local
 * message, one gone from the inbox), so a marker for a contact not active now is looked at again next time.
 * `handled` is memory only: an empty one (a restarted daemon) looks at every marker, and the files decide.
 */
const scan = (handled: Handled, before: BeforeReceipt) =>
  Effect.gen(function* () {
    const store = yield* Store
    const envelopes = yield* Envelopes
    const active = new Map(
      (yield* (yield* CloudHome).contacts).filter((c) => c.state === "active").map((c) => [c.handle as string, c])
    )
    const counts = { surfaced: 0, read: 0 }
    if (active.size === 0) return counts
    const sessions = yield* store.list("inbox")
    for (const gone of [...handled.keys()].filter((s) => !sessions.includes(s))) handled.delete(gone)
    const owed: Array<Owed> = []
    /** Sessions whose listings are remembered once their receipts are queued (nothing left to look at again). */
    const settled: Array<readonly [SessionMarkers, ReadonlyArray<string>, ReadonlyArray<string>]> = []
    for (const sessionId of sessions) {
      // Listed through the envelopes' cache: an unchanged directory gives back the same array without a readdir.
      const [read, surfaced] = yield* Effect.all([
        envelopes.list(Layout.readDir(sessionId)),
        envelopes.list(Layout.surfacedDir(sessionId))
      ])
      const done: SessionMarkers = handled.get(sessionId) ?? { read: new Set<string>(), surfaced: new Set<string>() }
      handled.set(sessionId, done)
      if (done.listed !== undefined && done.listed[0] === read && done.listed[1] === surfaced) continue
      done.listed = undefined
      let again = false
      // What the listings no longer hold is forgotten, so memory follows the markers (gc, mark unread).
      const keep = (set: Set<string>, names: ReadonlyArray<string>) => {
        const listed = new Set(names)
        for (const id of set) if (!listed.has(id)) set.delete(id)
      }
      keep(done.read, read)
      keep(done.surfaced, surfaced)
      const readSet = new Set(read)
      // A read message reports `read` only; a surfaced one not yet read reports `surfaced`.
      const fresh = [
        ...read.filter((id) => !done.read.has(id)).map((id) => ({ id, state: "read" as const })),
        ...surfaced
          .filter((id) => !done.surfaced.has(id) && !readSet.has(id))
          .map((id) => ({ id, state: "surfaced" as const }))
      ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      for (const s of surfaced) if (readSet.has(s)) done.surfaced.add(s)
      for (const { id: markerId, state } of fresh) {
        const finished = () => void done[state].add(markerId)
        if (!isMessageId(markerId)) {
          finished()
          continue
        }
        const found = yield* envelopes.read(Layout.inboxMessage(sessionId, markerId))
        if (Option.isNone(found)) {
          finished()
          continue
        }
        const e = found.value
        if (e.origin !== "remote" || e.remoteId === undefined) {
          finished()
          continue
        }
        const contact = active.get(e.from.contact ?? "")
        if (contact === undefined) {
          again = true
          continue
        }
        const last = Option.map(yield* store.readText(CloudLayout.receipt(e.id)), (t) => t.trim())
        if (Option.isSome(last) && rankOf(last.value as OutboxState) >= rankOf(state)) {
          finished()
          continue
        }
        owed.push({ localId: e.id, remoteId: e.remoteId, contact, state, finished })
      }
      if (!again) settled.push([done, read, surfaced])
    }
    for (const contact of active.values()) {
      const mine = owed.filter((o) => o.contact === contact)
      if (mine.length === 0) continue
      yield* queueOwed(contact, mine, before)
      for (const o of mine) counts[o.state]++
    }
    for (const [done, read, surfaced] of settled) done.listed = [read, surfaced]
    return counts
  })

/**
 * Queues one receipt per remote message whose state moved past the last one reported: every local inbox's markers
 * are compared with `cloud/receipts/`. Looks at every marker each time (one-shot callers and tests).
 */
export const queueReceipts: Effect.Effect<
  ReceiptsQueued,
  Effect.Effect.Error<ReturnType<typeof scan>>,
  Effect.Effect.Context<ReturnType<typeof scan>>
> = Effect.suspend(() => scan(new Map(), Effect.void))

/**
 * `queueReceipts` for the daemon's pump: each call looks only at the markers that appeared since the previous one
 * (the marker directories are listed, not the inboxes' envelopes), and `before` runs ahead of each receipt queued.
 */
export const makeReceiptQueue = (before: BeforeReceipt = Effect.void) =>
  Effect.sync(() => {
    const handled: Handled = new Map()
    return scan(handled, before)
  })

/**
 * Remembers whether `contact`'s daemon opens kind `receipts`, from an envelope it sealed (a message or receipts):
 * the file is written when it says so and removed when it does not (a daemon moved back to an older version).
 */
export const noteReceiptLists = (contact: PinnedContact, inner: Inner) =>
  Effect.gen(function* () {
    const store = yield* Store
    const path = CloudLayout.receiptLists(contact.accountId)
    const known = Option.isSome(yield* store.stat(path))
    if (inner.receiptLists === true && !known) yield* store.write(path, "")
    if (inner.receiptLists !== true && known) yield* store.remove(path)
  })

/**
 * A receipt from `contact`: `sent/<id>` moves forward to the reported state when that message went to this
 * contact and had not got further; anything else is ignored. True when a state changed.
 */
export const applyReceipt = (contact: PinnedContact, id: string | undefined, state: string | undefined) =>
  Effect.gen(function* () {
    const store = yield* Store
    if (id === undefined || !isMessageId(id) || !isReceiptState(state)) return false
    const entry = Option.flatMap(yield* store.readText(CloudLayout.sent(id)), decodeEntry)
    if (Option.isNone(entry) || entry.value.contact !== contact.handle || entry.value.receipt !== undefined)
      return false
    if (rankOf(entry.value.state) < 0 || rankOf(entry.value.state) >= rankOf(state)) return false
    const updated = { ...entry.value, state, updatedAt: yield* Clock.currentTimeMillis }
    yield* store.write(CloudLayout.sent(id), JSON.stringify(Schema.encodeSync(OutboxEntry)(updated), null, 2) + "\n")
    return true
  })

/** The receipts of one envelope (kind `receipt`: one; kind `receipts`: its list), applied in order. */
export const applyReceipts = (contact: PinnedContact, inner: Inner) =>
  inner.kind === "receipts"
    ? Effect.forEach(inner.receipts ?? [], (r) => applyReceipt(contact, r.id, r.state), { discard: true })
    : Effect.asVoid(applyReceipt(contact, inner.replyTo, inner.body))
