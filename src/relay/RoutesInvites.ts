import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { toBase64Url } from "../protocol/Bytes.js"
import { Base64UrlBytes } from "../protocol/WireSchemas.js"
import { BadRequest } from "./HttpErrors.js"
import { authenticated, base64UrlOf, body, json, param, wireAccountId } from "./Http.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { InviteInvalid } from "./RelayErrors.js"
import { Caps } from "./RelaySettings.js"
import { RelayStore } from "./RelayStore.js"

const InviteId = Base64UrlBytes.pipe(
  Schema.filter((bytes) => bytes.length === 16 || "an invite id is 16 bytes (base64url)")
)
const Sealed = Base64UrlBytes.pipe(
  Schema.filter((bytes) => (bytes.length > 0 && bytes.length <= 8 * 1024) || "a sealed offer or reply is 1-8192 bytes")
)
const CreateInvite = Schema.Struct({ id: InviteId, exp: Schema.Int.pipe(Schema.positive()), offer: Sealed })
const Redeem = Schema.Struct({ reply: Sealed })

// A malformed id gets the same answer as an unknown one: a guesser learns nothing from the shape.
const inviteId = param("id", base64UrlOf(16), () => new InviteInvalid())

/** `POST /v1/invites {id, exp, offer}`: exp (unix ms) within 24 h; 10 an hour and 20 open per account. */
const create = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const input = yield* body(CreateInvite, 64 * 1024)
  const now = yield* Clock.currentTimeMillis
  if (input.exp <= now || input.exp > now + Caps.inviteTtlMs + 60_000) {
    return yield* new BadRequest({ detail: "exp is unix milliseconds, in the future and at most 24 h away" })
  }
  yield* (yield* RateLimiter).take(Rules.inviteCreate, String(account.id))
  yield* store.createInvite({ id: input.id, inviterId: account.id, offer: input.offer, expiresAt: input.exp })
  yield* store.audit(account.id, "invite_created", "")
  return json({ id: toBase64Url(input.id), exp: input.exp }, 201)
})

/** `GET /v1/invites/{id}`: the inviter's handle, account id and sealed offer; 30 lookups a minute per account. */
const lookup = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  yield* (yield* RateLimiter).take(Rules.inviteLookup, String(account.id))
  const invite = yield* store.getOpenInvite(yield* inviteId)
  return json({
    inviterHandle: invite.inviterHandle,
    inviterAccountId: wireAccountId(invite.inviterId),
    offer: toBase64Url(invite.offer),
    exp: invite.expiresAt
  })
})

/** `POST /v1/invites/{id}/redeem {reply}`: single use; the pair's contact becomes pending. */
const redeem = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  yield* (yield* RateLimiter).take(Rules.inviteLookup, String(account.id))
  const id = yield* inviteId
  const input = yield* body(Redeem, 64 * 1024)
  const invite = yield* store.redeemInvite({ id, redeemerId: account.id, reply: input.reply })
  yield* store.audit(account.id, "invite_redeemed", wireAccountId(invite.inviterId))
  return json({ inviterHandle: invite.inviterHandle, inviterAccountId: wireAccountId(invite.inviterId) })
})

/** `GET /v1/invites?state=redeemed`: the inviter's redeemed invites waiting for its accept. */
const listRedeemed = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const { state } = yield* HttpServerRequest.schemaSearchParams(
    Schema.Struct({ state: Schema.optional(Schema.Literal("redeemed")) })
  ).pipe(Effect.mapError(() => new BadRequest({ detail: "state is redeemed (the only listable state)" })))
  void state
  const invites = yield* store.listRedeemedInvites(account.id)
  return json({
    invites: invites.map((i) => ({
      id: toBase64Url(i.id),
      redeemerHandle: i.redeemedByHandle,
      redeemerAccountId: i.redeemedBy === null ? null : wireAccountId(i.redeemedBy),
      reply: i.reply === null ? null : toBase64Url(i.reply),
      redeemedAt: i.redeemedAt
    }))
  })
})

/** `DELETE /v1/invites/{id}`: the inviter revokes an invite not yet accepted. */
const revoke = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  if (!(yield* store.revokeInvite(account.id, yield* inviteId))) return yield* new InviteInvalid()
  yield* store.audit(account.id, "invite_revoked", "")
  return json({ revoked: true })
})

export const inviteRoutes = HttpRouter.empty.pipe(
  HttpRouter.post("/v1/invites", create),
  HttpRouter.get("/v1/invites", listRedeemed),
  HttpRouter.get("/v1/invites/:id", lookup),
  HttpRouter.post("/v1/invites/:id/redeem", redeem),
  HttpRouter.del("/v1/invites/:id", revoke)
)
