import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { MessageId } from "../domain/Ulid.js"
import { fromUtf8, toBase64Url, utf8 } from "../protocol/Bytes.js"
import { Envelope } from "../protocol/WireSchemas.js"
import { BadRequest, NotFound, TooLarge } from "./HttpErrors.js"
import { authenticatedId, body, json, param, parseAccountId, wireAccountId } from "./Http.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { NotAContact, type RelayStoreIo } from "./RelayErrors.js"
import { Caps } from "./RelaySettings.js"
import { type EnqueueInput, RelayStore, type SpoolEntry } from "./RelayStore.js"
import { SendsArriving } from "./SendsArriving.js"
import { Waiters } from "./Waiters.js"

const Cursor = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const InboxQuery = Schema.Struct({
  after: Schema.optionalWith(Cursor, { default: () => 0 }),
  wait: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.nonNegative()), { default: () => 0 })
})
const Ack = Schema.Struct({ upTo: Schema.Int.pipe(Schema.nonNegative()) })
const isMessageId = Schema.is(MessageId)

/**
 * `POST /v1/messages {v,id,to,exp,rk,ct}`: 201 `{seq}`, or 200 `{seq, duplicate: true}` for an id this sender
 * already stored. A retry costs no rate budget: the store answers it as a duplicate and the tokens taken go back;
 * a retry over the limit is still answered as a duplicate, not 429. `from` is never in the body.
 */
const send = Effect.gen(function* () {
  const store = yield* RelayStore
  const waiters = yield* Waiters
  const limiter = yield* RateLimiter
  const arriving = yield* Effect.serviceOption(SendsArriving)
  // Counted as arriving from its start until it reaches the store (or fails on the way), so a batch being gathered
  // waits for it (SendsArriving.ts).
  const checked = yield* Option.match(arriving, {
    onNone: () => sendChecks,
    onSome: (a) => Effect.zipRight(a.enter, sendChecks)
  }).pipe(Effect.scoped)
  if (checked._tag === "Answered") return checked.response
  const { input } = checked
  const stored = yield* store
    .enqueue(input)
    .pipe(Effect.catchTag("AccountNotFound", () => Effect.fail(new NotAContact())))
  if (stored.duplicate) {
    yield* limiter.giveBack(Rules.send, String(input.senderId))
    yield* limiter.giveBack(Rules.sendPair, `${input.senderId}>${input.recipientId}`)
    return json({ seq: stored.seq, duplicate: true })
  }
  yield* waiters.wake(input.recipientId)
  return json({ seq: stored.seq }, 201)
})

/** Everything a send checks before it is stored: the account, the envelope and the rate limits. */
const sendChecks = Effect.gen(function* () {
  const store = yield* RelayStore
  const limiter = yield* RateLimiter
  const accountId = yield* authenticatedId
  const envelope = yield* body(Envelope)
  if (envelope.ct.length > Caps.ctBytes) return yield* new TooLarge({ what: "sealed envelope", limit: Caps.ctBytes })
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
      return { _tag: "Answered" as const, response: json({ seq: known.value.seq, duplicate: true }) }
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

const delivered = (recipient: string) => (entry: SpoolEntry) => ({
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
const inbox = Effect.gen(function* () {
  const store = yield* RelayStore
  const waiters = yield* Waiters
  const accountId = yield* authenticatedId
  const query = yield* HttpServerRequest.schemaSearchParams(InboxQuery).pipe(
    Effect.mapError(() => new BadRequest({ detail: "after is a whole number ≥ 0, wait seconds ≥ 0" }))
  )
  const wait = Math.min(query.wait, Caps.maxWaitSec)
  const deadline = (yield* Clock.currentTimeMillis) + wait * 1000
  // Each round registers its waiter before it queries. A wake that finds nothing new (another replica's LISTEN
  // reconnect wakes everyone) parks the poll again for the time it has left.
  const round = (after: number): Effect.Effect<ReadonlyArray<SpoolEntry>, RelayStoreIo> =>
    Effect.scoped(
      Effect.gen(function* () {
        const waiter = yield* waiters.register(accountId)
        // Rows ≤ query.after were acked by the first fetch; later rounds are plain reads (no second ack).
        const found = (yield* store.fetch(accountId, after, Caps.inboxBatch)).filter((e) => e.seq > query.after)
        const left = deadline - (yield* Clock.currentTimeMillis)
        if (found.length > 0 || left <= 0) return found
        return (yield* waiter.await(Duration.millis(left))) ? undefined : []
      })
    ).pipe(Effect.flatMap((found) => (found === undefined ? round(0) : Effect.succeed(found))))
  const entries = yield* round(query.after)
  const recipient = wireAccountId(accountId)
  const last = entries[entries.length - 1]
  return json({ messages: entries.map(delivered(recipient)), cursor: last?.seq ?? query.after })
})

/** `POST /v1/inbox/ack {upTo}`: the explicit ack (the next poll's `after` acks too). */
const ack = Effect.gen(function* () {
  const store = yield* RelayStore
  const accountId = yield* authenticatedId
  const input = yield* body(Ack, 1024)
  const acked = yield* store.ack(accountId, input.upTo)
  return json({ ackedSeq: acked.ackedSeq, deleted: acked.deleted })
})

/** `GET /v1/sent/{id}`: the relay-level delivery state of a message this account sent. */
const sent = Effect.gen(function* () {
  const store = yield* RelayStore
  const accountId = yield* authenticatedId
  const id = yield* param("id", (text) => (isMessageId(text) ? Option.some(text) : Option.none()))
  const status = yield* store.getSentStatus(accountId, utf8(id))
  if (Option.isNone(status)) return yield* new NotFound({ what: "no message with that id was sent by this account" })
  const s = status.value
  return json({
    id,
    to: wireAccountId(s.recipientId),
    seq: s.seq,
    state: s.state,
    reason: s.reason,
    updatedAt: s.updatedAt
  })
})

export const messageRoutes = HttpRouter.empty.pipe(
  HttpRouter.post("/v1/messages", send),
  HttpRouter.get("/v1/inbox", inbox),
  HttpRouter.post("/v1/inbox/ack", ack),
  HttpRouter.get("/v1/sent/:id", sent)
)
