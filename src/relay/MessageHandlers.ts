import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { fromUtf8, toBase64Url, utf8 } from "../protocol/Bytes.js"
import { Envelope } from "../protocol/WireSchemas.js"
import { BadRequest, TooLarge } from "./HttpErrors.js"
import { type AuthServices, authenticatedIdWith, decodeJson, parseAccountId, wireAccountId } from "./Http.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { NotAContact, type RelayStoreIo } from "./RelayErrors.js"
import { Caps } from "./RelaySettings.js"
import { type EnqueueInput, type FreshEntry, RelayStore } from "./RelayStore.js"
import { type RequestView, searchParams } from "./RequestView.js"
import { SendsArriving, type SendsArrivingShape } from "./SendsArriving.js"
import { Waiters } from "./Waiters.js"

/** A route's answer before it is rendered: the status and the JSON body. */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

/** What the message handlers use, resolved once by the caller (per request on the router, once for HotRoutes). */
export interface MessageServices extends AuthServices {
  readonly waiters: Waiters["Type"]
  readonly arriving: Option.Option<SendsArrivingShape>
}

export const messageServices = Effect.all({
  store: RelayStore,
  limiter: RateLimiter,
  crypto: CloudCrypto,
  waiters: Waiters,
  arriving: Effect.serviceOption(SendsArriving)
})

const reply = (body: unknown, status = 200): Reply => ({ status, body })

const Cursor = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const InboxQuery = Schema.Struct({
  after: Schema.optionalWith(Cursor, { default: () => 0 }),
  wait: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.nonNegative()), { default: () => 0 })
})
const decodeInboxQuery = Schema.decodeUnknownEither(InboxQuery)
const Ack = Schema.Struct({ upTo: Schema.Int.pipe(Schema.nonNegative()) })
const decodeEnvelope = decodeJson(Envelope)
const decodeAck = decodeJson(Ack)

/**
 * `POST /v1/messages {v,id,to,exp,rk,ct}`: 201 `{seq}`, or 200 `{seq, duplicate: true}` for an id this sender
 * already stored. A retry costs no rate budget: the store answers it as a duplicate and the tokens taken go back;
 * a retry over the limit is still answered as a duplicate, not 429. `from` is never in the body.
 */
export const send = (services: MessageServices, view: RequestView) =>
  Effect.gen(function* () {
    const { arriving, limiter, store, waiters } = services
    // Counted as arriving from its start until it reaches the store (or fails on the way), so a batch being
    // gathered waits for it (SendsArriving.ts).
    const checked = yield* Option.match(arriving, {
      onNone: () => sendChecks(services, view),
      onSome: (a) =>
        Effect.acquireUseRelease(
          Effect.sync(a.arrive),
          () => sendChecks(services, view),
          () => Effect.sync(a.leave)
        )
    })
    if (checked._tag === "Answered") return checked.reply
    const { input } = checked
    const stored = yield* store
      .enqueue(input)
      .pipe(Effect.catchTag("AccountNotFound", () => Effect.fail(new NotAContact())))
    if (stored.duplicate) {
      yield* limiter.giveBack(Rules.send, String(input.senderId))
      yield* limiter.giveBack(Rules.sendPair, `${input.senderId}>${input.recipientId}`)
      return reply({ seq: stored.seq, duplicate: true })
    }
    // The row as the recipient's poll would read it: a poll parked right below it answers with it (ADR-0073).
    const fresh = {
      seq: stored.seq,
      senderId: input.senderId,
      msgId: input.msgId,
      rk: input.rk,
      ct: input.ct,
      expiresAt: input.expiresAt
    }
    yield* waiters.wake(input.recipientId, [fresh])
    return reply({ seq: stored.seq }, 201)
  })

/** Everything a send checks before it is stored: the account, the envelope and the rate limits. */
const sendChecks = (services: MessageServices, view: RequestView) =>
  Effect.gen(function* () {
    const { limiter, store } = services
    const accountId = yield* authenticatedIdWith(services, view)
    const envelope = yield* Effect.flatMap(view.text(Caps.jsonBodyBytes), decodeEnvelope)
    if (envelope.ct.length > Caps.ctBytes) {
      return yield* new TooLarge({ what: "sealed envelope", limit: Caps.ctBytes })
    }
    const nowMs = yield* Clock.currentTimeMillis
    const expMs = envelope.exp * 1000
    if (expMs <= nowMs || expMs > nowMs + Caps.ttlMs + 60_000) {
      return yield* new BadRequest({ detail: "exp is unix seconds, in the future and at most 7 days away" })
    }
    const recipientId = Option.getOrUndefined(parseAccountId(envelope.to))
    if (recipientId === undefined || recipientId === accountId) return yield* new NotAContact()
    const msgId = utf8(envelope.id)
    const limited = yield* Effect.either(
      Effect.zipRight(
        limiter.take(Rules.send, String(accountId)),
        limiter.take(Rules.sendPair, `${accountId}>${recipientId}`)
      )
    )
    if (Either.isLeft(limited)) {
      // Over the limit: a retry of a stored id is still answered (as before any limit), anything else is 429.
      const known = yield* store.getSentStatus(accountId, msgId)
      if (Option.isSome(known) && known.value.recipientId === recipientId && known.value.seq !== null) {
        return { _tag: "Answered" as const, reply: reply({ seq: known.value.seq, duplicate: true }) }
      }
      return yield* limited.left
    }
    const input: EnqueueInput = {
      senderId: accountId,
      recipientId,
      msgId,
      rk: envelope.rk,
      ct: envelope.ct,
      expiresAt: expMs
    }
    return { _tag: "Checked" as const, input }
  })

const delivered = (recipient: string) => (entry: FreshEntry) => ({
  seq: entry.seq,
  from: wireAccountId(entry.senderId),
  v: 1,
  id: Option.getOrElse(fromUtf8(entry.msgId), () => ""),
  to: recipient,
  exp: Math.floor(entry.expiresAt / 1000),
  rk: entry.rk,
  ct: toBase64Url(entry.ct)
})

/**
 * `GET /v1/inbox?after=<cursor>&wait=<s>`: `after` acknowledges everything up to it. The waiter is registered
 * before the query, so a send that commits in between still wakes this poll; `wait` is capped at 25 s.
 */
export const inbox = (services: MessageServices, view: RequestView) =>
  Effect.gen(function* () {
    const { store, waiters } = services
    const accountId = yield* authenticatedIdWith(services, view)
    const query = yield* Either.mapLeft(
      decodeInboxQuery(searchParams(view.url)),
      () => new BadRequest({ detail: "after is a whole number ≥ 0, wait seconds ≥ 0" })
    )
    const wait = Math.min(query.wait, Caps.maxWaitSec)
    const deadline = (yield* Clock.currentTimeMillis) + wait * 1000
    // A round registers its waiter before it queries. The first acks `after` (fetch); later ones only read.
    const round = (first: boolean): Effect.Effect<ReadonlyArray<FreshEntry>, RelayStoreIo> =>
      Effect.scoped(
        Effect.gen(function* () {
          const waiter = yield* waiters.register(accountId)
          const found = yield* (first ? store.fetch : store.read)(accountId, query.after, Caps.inboxBatch)
          const left = deadline - (yield* Clock.currentTimeMillis)
          if (found.length > 0 || left <= 0) return found
          const wake = yield* waiter.await(Duration.millis(left))
          if (wake === false) return []
          // Rows handed by the send that woke it, when the first is the very next seq (seqs are dense): the rows
          // above the cursor begin with them, so they are an answer as a read's first rows would be.
          return wake !== true && wake[0]?.seq === query.after + 1 ? wake : undefined
        })
      ).pipe(Effect.flatMap((found) => (found === undefined ? woken : Effect.succeed(found))))
    // A wake follows a commit for this recipient: its rows are read at once, with no waiter. Only a wake that finds
    // nothing new (another replica's LISTEN reconnect wakes everyone) registers again and parks for the time left.
    const woken: Effect.Effect<ReadonlyArray<FreshEntry>, RelayStoreIo> = Effect.flatMap(
      Effect.suspend(() => store.read(accountId, query.after, Caps.inboxBatch)),
      (found) => (found.length > 0 ? Effect.succeed(found) : round(false))
    )
    const entries = yield* round(true)
    const recipient = wireAccountId(accountId)
    const last = entries[entries.length - 1]
    return reply({ messages: entries.map(delivered(recipient)), cursor: last?.seq ?? query.after })
  })

/** `POST /v1/inbox/ack {upTo}`: the explicit ack (the next poll's `after` acks too). */
export const ack = (services: MessageServices, view: RequestView) =>
  Effect.gen(function* () {
    const accountId = yield* authenticatedIdWith(services, view)
    const input = yield* Effect.flatMap(view.text(1024), decodeAck)
    const acked = yield* services.store.ack(accountId, input.upTo)
    return reply({ ackedSeq: acked.ackedSeq, deleted: acked.deleted })
  })
