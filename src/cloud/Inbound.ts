import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { toHex } from "../protocol/Bytes.js"
import { open, type Receiver } from "../protocol/Envelope.js"
import { PROTOCOL_ERRORS, type ProtocolError } from "../protocol/ProtocolErrors.js"
import type { AccountId, Envelope } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { ArtifactFetchFailed, CloudNotConfigured } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { syncContacts } from "./Contacts.js"
import { type Credentials, type PinnedContact, QuarantineRecord } from "./CloudState.js"
import { adoptFor } from "./IdentityContinuity.js"
import { previousIdentities } from "./IdentityRotation.js"
import { fetchArtifact } from "./InboundArtifacts.js"
import { applyReceipts, noteReceiptLists } from "./Receipts.js"
import { RelayClient } from "./RelayClient.js"
import type { Delivered } from "./RelayWire.js"
import { parentOf, remoteEnvelope, route, writeToTarget } from "./RemoteDelivery.js"
import * as Schema from "effect/Schema"

/*
 * The receiver loop's body (CLOUD.md 2.7, docs/cloud-client.md "Exactly once"): every envelope of a batch in
 * ascending seq is checked, recorded in the seen-ledger with its target pinned, written with create-exclusive
 * under its deterministic local id and marked done; then the cursor is persisted, then acked.
 */

export interface BatchResult {
  readonly delivered: number
  readonly unrouted: number
  readonly duplicates: number
  readonly dropped: number
  readonly quarantined: number
  readonly ignored: number
  /** Receipts for messages this account sent (applied to `sent/`, never inbox entries). */
  readonly receipts: number
  readonly cursor: number
}

type Outcome = "delivered" | "unrouted" | "duplicates" | "dropped" | "quarantined" | "ignored" | "receipts"

/** This account as a receiver, from its credentials and the keys it holds. */
export const receiverOf = (credentials: Credentials) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const identity = yield* home.identity
    if (Option.isNone(identity)) return yield* new CloudNotConfigured({ detail: "no identity key on this home" })
    const keys = yield* home.encryptionKeys
    return {
      accountId: credentials.accountId,
      ikPub: identity.value.publicKey,
      previousIkPubs: (yield* previousIdentities).map((k) => k.ikPub),
      keys: (rk) =>
        Option.map(Option.fromNullable(keys.find((k) => k.keyId === rk)), (k) => ({
          record: k.record,
          privateKey: k.privateKey
        }))
    } satisfies Receiver
  })

const quarantine = (env: Delivered, reason: string, code: string, detail: string) =>
  Effect.gen(function* () {
    const record = QuarantineRecord.make({
      v: 1,
      seq: env.seq,
      id: env.id,
      from: env.from,
      reason,
      code,
      detail: detail.slice(0, 500),
      at: yield* Clock.currentTimeMillis
    })
    yield* (yield* Store).write(
      CloudLayout.quarantine(env.seq, env.id),
      JSON.stringify(Schema.encodeSync(QuarantineRecord)(record), null, 2) + "\n"
    )
    yield* Effect.logWarning("inbound envelope quarantined").pipe(
      Effect.annotateLogs({ seq: env.seq, from: env.from, reason })
    )
    return "quarantined" as Outcome
  })

const activeContact = (contacts: ReadonlyArray<PinnedContact>, from: AccountId) =>
  Option.fromNullable(contacts.find((c) => c.accountId === from && c.state === "active"))

/**
 * Opens an envelope from a pinned contact. When its signature is not the pinned key's, it may be a key the contact
 * rotated away from (mail sent before the rotation, accepted for 7 days), or a new key it rotated to: the relay's
 * continuity statements are then followed (`adoptFor`) and the envelope opened once more with the moved pin.
 */
const openFrom = (wire: Envelope, contact: PinnedContact, receiver: Receiver, token: string) =>
  Effect.gen(function* () {
    const first = yield* Effect.either(open(wire, contact, receiver))
    if (first._tag === "Right" || first.left._tag !== "SignatureInvalid") return first
    const now = yield* Clock.currentTimeMillis
    for (const previous of (contact.previousIks ?? []).filter((p) => p.until > now)) {
      const again = yield* Effect.either(open(wire, { ...contact, ikPub: previous.ikPub }, receiver))
      if (again._tag === "Right") return again
    }
    const moved = yield* adoptFor({ token, ikPub: receiver.ikPub }, contact).pipe(
      Effect.orElseSucceed(() => Option.none<PinnedContact>())
    )
    return Option.isSome(moved) ? yield* Effect.either(open(wire, moved.value, receiver)) : first
  })

/** One envelope, steps 1-7 of the loop. Fails only when the batch must stop (an artifact fetch to retry). */
const processOne = (token: string, receiver: Receiver, contacts: ReadonlyArray<PinnedContact>, env: Delivered) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const contact = activeContact(contacts, env.from)
    if (Option.isNone(contact)) {
      yield* Effect.logWarning("inbound envelope dropped: not an active contact").pipe(
        Effect.annotateLogs({ seq: env.seq, from: env.from })
      )
      return "dropped" as Outcome
    }
    const { seq: _seq, from: _from, ...wire } = env
    const opened = yield* openFrom(wire, contact.value, receiver, token)
    if (opened._tag === "Left") {
      const e: ProtocolError = opened.left
      const entry = PROTOCOL_ERRORS[e._tag]
      return yield* quarantine(env, entry.reason, entry.code, e.message)
    }
    const { inner, localId, senderFpr } = opened.right
    if (inner.kind === "receipt" || inner.kind === "receipts") {
      yield* noteReceiptLists(contact.value, inner)
      yield* applyReceipts(contact.value, inner)
      return "receipts" as Outcome
    }
    if (inner.kind !== "message") return "ignored" as Outcome
    yield* noteReceiptLists(contact.value, inner)
    const fpr = toHex(senderFpr)
    const seen = yield* home.seen(fpr, env.id)
    if (Option.isSome(seen) && seen.value.state === "done") return "duplicates" as Outcome
    const target = Option.isSome(seen) ? seen.value.target : yield* route(inner.to)
    if (Option.isNone(seen))
      yield* home.writeSeen(fpr, env.id, {
        v: 1,
        localId,
        target,
        state: "pending",
        at: yield* Clock.currentTimeMillis
      })
    const parent = yield* parentOf(contact.value, fpr, inner)
    const envelope = yield* remoteEnvelope({
      localId,
      remoteId: env.id,
      senderFpr,
      contact: contact.value,
      inner,
      to: [],
      parent: Option.getOrUndefined(parent)
    })
    for (const ref of inner.artifacts ?? []) {
      const outcome = yield* fetchArtifact(token, ref, envelope.from.sessionId)
      if (outcome._tag === "retry")
        return yield* new ArtifactFetchFailed({ detail: `envelope ${env.id} (seq ${env.seq}): ${outcome.detail}` })
      if (outcome._tag === "bad") {
        yield* home.writeSeen(fpr, env.id, { v: 1, localId, target, state: "done", at: yield* Clock.currentTimeMillis })
        return yield* quarantine(env, outcome.reason, "ARTIFACT_INVALID", outcome.detail)
      }
    }
    yield* writeToTarget(target, envelope, contact.value, inner.to)
    yield* home.writeSeen(fpr, env.id, { v: 1, localId, target, state: "done", at: yield* Clock.currentTimeMillis })
    return (target.kind === "session" ? "delivered" : "unrouted") as Outcome
  })

/**
 * The pins a batch is checked against. A contact this home added is pinned `pending` until the daemon sees the
 * relay list it active, which the presence fiber does only every 15 s; the relay stores a message only between
 * active contacts, so the first messages after `accept` may arrive before that. When the batch holds an envelope
 * from a pending pin, the relay's contact list is applied first (towards active or revoked, as `syncContacts`
 * does): dropping them would lose them for good, since the cursor moves past them. A failure to list leaves the
 * batch unprocessed, to be fetched again.
 */
const contactsFor = (credentials: Credentials, batch: ReadonlyArray<Delivered>, start: number) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const pins = yield* home.contacts
    const pending = (from: AccountId) => pins.some((c) => c.accountId === from && c.state === "pending")
    if (!batch.some((e) => e.seq > start && pending(e.from))) return pins
    const synced = yield* syncContacts(yield* (yield* RelayClient).contacts(credentials.token))
    for (const handle of synced.activated) yield* Effect.logInfo("contact_active").pipe(Effect.annotateLogs({ handle }))
    return yield* home.contacts
  })

/**
 * Processes one batch from the relay (ascending seq; rows at or below the cursor are skipped), then persists the
 * cursor and acks it (best effort: the next poll's `after` acks too). `ack: false` leaves the ack to that next poll,
 * for a caller that polls again at once (the daemon's inbox loop): one request less per batch. When an artifact fetch must be retried the
 * batch stops there: the cursor moves only past the envelopes before it, nothing is acked, and the error is
 * returned so the caller backs off.
 */
export const processBatch = (
  credentials: Credentials,
  batch: ReadonlyArray<Delivered>,
  options: { readonly ack: boolean } = { ack: true }
) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const relay = yield* RelayClient
    const receiver = yield* receiverOf(credentials)
    const start = yield* home.cursor
    const contacts = yield* contactsFor(credentials, batch, start)
    const counts: Record<Outcome, number> = {
      delivered: 0,
      unrouted: 0,
      duplicates: 0,
      dropped: 0,
      quarantined: 0,
      ignored: 0,
      receipts: 0
    }
    let cursor = start
    const ordered = [...batch].filter((e) => e.seq > start).sort((a, b) => a.seq - b.seq)
    for (const env of ordered) {
      const outcome = yield* Effect.either(processOne(credentials.token, receiver, contacts, env))
      if (outcome._tag === "Left") {
        if (cursor > start) yield* home.writeCursor(cursor)
        return yield* Effect.fail(outcome.left)
      }
      counts[outcome.right]++
      cursor = env.seq
    }
    if (cursor > start) {
      yield* home.writeCursor(cursor)
      if (options.ack) yield* Effect.ignore(relay.ack(credentials.token, cursor))
    }
    return { ...counts, cursor } satisfies BatchResult
  })

/** One long-poll: fetch after the persisted cursor, then `processBatch`. */
export const pollOnce = (credentials: Credentials, waitSeconds: number) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const relay = yield* RelayClient
    const response = yield* relay.inbox(credentials.token, yield* home.cursor, waitSeconds)
    return yield* processBatch(credentials, response.messages)
  })
