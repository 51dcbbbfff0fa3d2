import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type { MessageId } from "../domain/Ulid.js"
import { seal } from "../protocol/Envelope.js"
import { acceptEncryptionKey } from "../protocol/Keys.js"
import type { InnerTarget } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { CloudNotConfigured, type RelayError } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import { adoptRotations } from "./IdentityContinuity.js"
import { CloudLayout } from "./CloudLayout.js"
import { type Credentials, OutboxEntry, type OutboxState, type PinnedContact } from "./CloudState.js"
import { uploadArtifacts, withArtifactKeys } from "./OutboxArtifacts.js"
import { RelayClient } from "./RelayClient.js"
import type { RelayContactsCache } from "./RelayContactsCache.js"
import type { RelayContact } from "./RelayWire.js"
import { REMOTE_TTL_MS } from "./RemoteDelivery.js"

/*
 * The outbound queue (CLOUD.md 2.7, 2.8): a send to a contact writes `cloud/outbox/<id>.json` (state queued);
 * `pumpOnce` seals each due entry to the recipient's newest encryption key (verified against the pinned identity
 * key, never a lower seq than seen), encrypts and uploads its artifacts first (OutboxArtifacts.ts), and posts it
 * with the message's own ULID as the idempotency key. A receipt (`receipt` set) goes the same way as inner kind
 * "receipt", or "receipts" for a list (`receipts` set), and leaves no trace in sent/. Every envelope says that this
 * daemon opens kind "receipts" (`receiptLists`).
 */

const encode = (entry: OutboxEntry) => JSON.stringify(Schema.encodeSync(OutboxEntry)(entry), null, 2) + "\n"
const decode = Schema.decodeUnknownOption(Schema.parseJson(OutboxEntry))

const BACKOFF_BASE_MS = 1_000
const BACKOFF_MAX_MS = 60_000

/** 1 s, 2 s, 4 s, ... up to 60 s, each drawn between half and all of it (jitter). */
export const backoffMs = (attempts: number) =>
  Effect.map(Random.next, (r) => {
    const full = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1))
    return Math.round(full / 2 + (full / 2) * r)
  })

export interface QueueInput {
  readonly id: MessageId
  readonly contact: PinnedContact["handle"]
  readonly to: typeof InnerTarget.Type
  readonly fromSession?: OutboxEntry["fromSession"]
  readonly subject: string
  readonly body: string
  readonly threadId?: string
  readonly replyTo?: string
  readonly artifacts?: OutboxEntry["artifacts"]
  readonly receipt?: OutboxEntry["receipt"]
  readonly receipts?: OutboxEntry["receipts"]
}

/** Queues a message for a contact (state `queued`); a second queue of the same id is refused by the store. */
/** The outbox entry of a message to queue (state queued, due now), as the file to create: `cloud/outbox/<id>.json`. */
export const outboxFile = (input: QueueInput) =>
  Effect.map(Clock.currentTimeMillis, (now) => ({
    path: CloudLayout.outbox(input.id),
    data: encode(
      OutboxEntry.make({
        v: 1,
        ...input,
        createdAt: now,
        state: "queued",
        attempts: 0,
        nextAttemptAt: now,
        updatedAt: now
      })
    )
  }))

export const queueMessage = (input: QueueInput) =>
  Effect.gen(function* () {
    const file = yield* outboxFile(input)
    return yield* (yield* Store).createExclusive(file.path, file.data)
  })

/** Every queued entry, oldest id first. */
export const queued = Effect.gen(function* () {
  const store = yield* Store
  const names = (yield* store.list(CloudLayout.outboxDir)).filter((n) => n.endsWith(".json"))
  const entries = yield* Effect.forEach(names, (n) =>
    Effect.map(store.readText(`${CloudLayout.outboxDir}/${n}`), (t) => Option.flatMap(t, decode))
  )
  return entries.flatMap(Option.toArray)
})

export interface PumpResult {
  readonly stored: number
  readonly refused: number
  readonly retrying: number
}

/** What a relay failure means for the entry: a final refusal, or a retry after some time. */
const onFailure = (
  error: RelayError
): { readonly refused: string } | { readonly retryAfterMs: Option.Option<number> } => {
  switch (error._tag) {
    case "NotAContact":
      return { refused: "not_a_contact" }
    case "ContactRevoked":
      return { refused: "revoked" }
    case "PayloadTooLarge":
      return { refused: "too_large" }
    case "RateLimited":
      return { retryAfterMs: Option.some(error.retryAfterMs) }
    default:
      return { retryAfterMs: Option.none() }
  }
}

/**
 * Posts every due queued entry once, messages before receipts (each group oldest id first). Stored (201, or 200
 * duplicate) and refused entries move to `cloud/sent/` with their state; retryable failures stay queued with
 * `attempts`, `nextAttemptAt` and `lastError`. A network error ends the pass at the entry that met it (the rest
 * stay due with their backoff untouched). A 401 stops the pump (no other entry can succeed) and is returned.
 * `beforeReceipt` runs ahead of each receipt (the daemon's gate, ReceiptGate.ts); a receipt is not started once
 * an entry the pass did not know is in the outbox (a message queued meanwhile: the next pass sends it first).
 */
export const pumpOnce = (credentials: Credentials, cache?: RelayContactsCache, beforeReceipt?: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const store = yield* Store
    const home = yield* CloudHome
    const relay = yield* RelayClient
    const identity = yield* home.identity
    if (Option.isNone(identity)) return yield* new CloudNotConfigured({ detail: "no identity key on this home" })
    const result = { stored: 0, refused: 0, retrying: 0 }
    const now = yield* Clock.currentTimeMillis
    const all = yield* queued
    const due = all.filter((e) => e.nextAttemptAt <= now && e.receipt === undefined)
    due.push(...all.filter((e) => e.nextAttemptAt <= now && e.receipt !== undefined))
    if (due.length === 0) return result
    const known = new Set(all.map((e) => `${e.id}.json`))
    /** Whether something the pass did not know was queued since it began. */
    const arrived = Effect.map(store.list(CloudLayout.outboxDir), (names) =>
      names.some((n) => n.endsWith(".json") && !known.has(n))
    )
    let relayContacts: ReadonlyArray<RelayContact> | undefined
    /** Whether this pass read the list from the relay (a reused one is read again once when it lacks a key). */
    let fetched = false

    const finish = (entry: OutboxEntry, state: OutboxState, seq?: number) =>
      Effect.gen(function* () {
        const done = { ...entry, state, updatedAt: now, ...(seq !== undefined ? { seq } : {}) }
        // A receipt has no delivery state of its own to show: once carried (or refused) it is gone.
        if (entry.receipt === undefined) yield* store.write(CloudLayout.sent(entry.id), encode(done))
        yield* store.remove(CloudLayout.outbox(entry.id))
        if (state === "stored") result.stored++
        else result.refused++
      })
    const retry = (entry: OutboxEntry, detail: string, after: Option.Option<number>) =>
      Effect.gen(function* () {
        const attempts = entry.attempts + 1
        const wait = Option.isSome(after) ? after.value : yield* backoffMs(attempts)
        yield* store.write(
          CloudLayout.outbox(entry.id),
          encode({ ...entry, attempts, nextAttemptAt: now + wait, lastError: detail.slice(0, 300), updatedAt: now })
        )
        result.retrying++
      })

    for (let entry of due) {
      if (entry.receipt !== undefined && beforeReceipt !== undefined) {
        yield* beforeReceipt
        if (yield* arrived) break
      }
      if (Option.isSome(yield* store.stat(CloudLayout.sent(entry.id)))) {
        yield* store.remove(CloudLayout.outbox(entry.id))
        continue
      }
      const contacts = yield* home.contacts
      const contact = contacts.find((c) => c.handle === entry.contact)
      if (contact === undefined || contact.state !== "active") {
        yield* finish(entry, contact?.state === "revoked" ? "refused:revoked" : "refused:not_a_contact")
        continue
      }
      // The contact's newest key in a list, checked against its pin (as the pin stands now).
      const keyIn = (list: ReadonlyArray<RelayContact>) =>
        Effect.gen(function* () {
          const pinned = (yield* home.contacts).find((c) => c.accountId === contact.accountId) ?? contact
          const record = list.find((c) => c.accountId === contact.accountId)?.ek
          if (record === undefined || record === null) return { pinned, accepted: undefined }
          const accepted = yield* Effect.either(
            acceptEncryptionKey(pinned.ikPub, record, Option.fromNullable(pinned.ek))
          )
          return { pinned, accepted }
        })
      const reused = relayContacts ?? (cache === undefined ? undefined : Option.getOrUndefined(yield* cache.recent))
      let key = reused === undefined ? undefined : yield* keyIn(reused)
      // A list reused from moments ago is read again (once a pass) when it gives this contact no key its pin
      // accepts: the contact was accepted, or rotated a key, since it was read.
      if (key === undefined || (!fetched && key.accepted?._tag !== "Right")) {
        const listed = yield* Effect.either(relay.contacts(credentials.token))
        if (listed._tag === "Left") {
          if (listed.left._tag === "RelayAuth") return yield* listed.left
          yield* retry(entry, listed.left.message, Option.none())
          if (listed.left._tag === "RelayUnreachable") break
          continue
        }
        relayContacts = listed.right
        fetched = true
        // A contact's identity key changed with a valid signed statement: re-pinned before its EK is checked.
        const adopted = yield* Effect.either(
          adoptRotations({ token: credentials.token, ikPub: identity.value.publicKey }, relayContacts)
        )
        if (adopted._tag === "Left" && adopted.left._tag === "RelayAuth") return yield* adopted.left
        if (adopted._tag === "Right" && cache !== undefined) yield* cache.put(relayContacts)
        key = yield* keyIn(relayContacts)
      } else relayContacts = reused
      const { pinned, accepted } = key
      if (accepted === undefined) {
        yield* retry(entry, "the relay has no encryption key for this contact", Option.none())
        continue
      }
      if (accepted._tag === "Left") {
        yield* finish(entry, "refused:key_changed")
        continue
      }
      if (pinned.ek === undefined || accepted.right.seq > pinned.ek.seq)
        yield* home.writeContacts(
          (yield* home.contacts).map((c) => (c.accountId === contact.accountId ? { ...c, ek: accepted.right } : c))
        )
      // The artifacts' keys are kept with the entry before anything is uploaded: a retry uploads the same blobs.
      const keyed = yield* withArtifactKeys(entry)
      if (keyed !== entry) {
        yield* store.write(CloudLayout.outbox(entry.id), encode(keyed))
        entry = keyed
      }
      const uploaded = yield* uploadArtifacts(credentials.token, entry, contact.accountId)
      if (uploaded._tag === "refused") {
        yield* finish(entry, `refused:${uploaded.reason}`)
        continue
      }
      if (uploaded._tag === "retry") {
        yield* retry(entry, uploaded.detail, uploaded.retryAfterMs)
        continue
      }
      const envelope = yield* Effect.either(
        seal({
          id: entry.id,
          exp: Math.floor((entry.createdAt + REMOTE_TTL_MS) / 1000),
          from: { accountId: credentials.accountId, identity: identity.value },
          to: { accountId: contact.accountId, handle: contact.handle, ikPub: pinned.ikPub, ek: accepted.right },
          inner: {
            kind: entry.receipts !== undefined ? "receipts" : entry.receipt !== undefined ? "receipt" : "message",
            ts: entry.createdAt,
            fromHandle: credentials.handle,
            ...(entry.fromSession !== undefined ? { fromSession: entry.fromSession } : {}),
            to: entry.to,
            subject: entry.subject,
            // A receipt's body is the state it reports (ReceiptState) for the message `replyTo`.
            body: entry.receipt ?? entry.body,
            ...(entry.threadId !== undefined ? { threadId: entry.threadId } : {}),
            ...(entry.replyTo !== undefined ? { replyTo: entry.replyTo } : {}),
            ...(uploaded.refs.length > 0 ? { artifacts: uploaded.refs } : {}),
            ...(entry.receipts !== undefined
              ? { receipts: entry.receipts.map((r) => ({ id: r.replyTo, state: r.state })) }
              : {}),
            // This daemon opens kind "receipts": the contact may send its receipts to us that way (ADR-0058).
            receiptLists: true
          }
        })
      )
      if (envelope._tag === "Left") {
        const e = envelope.left
        if (e._tag === "BodyTooLarge" || e._tag === "PayloadTooLarge") yield* finish(entry, "refused:too_large")
        else yield* finish(entry, "refused:key_changed")
        continue
      }
      const sent = yield* Effect.either(relay.send(credentials.token, envelope.right))
      if (sent._tag === "Right") {
        yield* finish(entry, "stored", sent.right.seq)
        continue
      }
      if (sent.left._tag === "RelayAuth") return yield* sent.left
      const next = onFailure(sent.left)
      if ("refused" in next) yield* finish(entry, `refused:${next.refused}`)
      else yield* retry(entry, `${sent.left.code}: ${sent.left.message}`, next.retryAfterMs)
      // An unreachable relay is no fault of the other entries: they stay due, their backoff untouched, for the
      // next pass (an outage would otherwise push every queued message towards the 60 s ceiling).
      if (sent.left._tag === "RelayUnreachable") break
    }
    return result satisfies PumpResult
  })
