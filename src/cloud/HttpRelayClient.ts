import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Envelope } from "../protocol/WireSchemas.js"
import {
  ContactRevoked,
  HandleTaken,
  InviteInvalid,
  NotAContact,
  PayloadTooLarge,
  RateLimited,
  RecipientQuota,
  RelayAuth,
  type RelayError,
  RelayProtocol,
  RelayRefused,
  RelayUnreachable
} from "./CloudErrors.js"
import { RelayClient } from "./RelayClient.js"
import { parseRelayUrl } from "./RelayUrl.js"
import { toBase64Url } from "../protocol/Bytes.js"
import {
  AckRequest,
  AnyOk,
  CreateInviteRequest,
  InviteLookup,
  PresenceResponse,
  PublishEkRequest,
  PutPresenceRequest,
  RedeemedInvites,
  RedeemRequest,
  RedeemResponse,
  BlobPutResponse,
  ContactsResponse,
  ErrorBody,
  IdentityRotationsResponse,
  RotateIdentityRequest,
  RotateIdentityResponse,
  RotateTokenRequest,
  InboxResponse,
  RegisterRequest,
  RegisterResponse,
  RelayInfo,
  SendResponse,
  SentStatusResponse
} from "./RelayWire.js"

/** A refusal as its tagged error: by the relay's code first, by the HTTP status when the body has none. */
export const errorFor = (status: number, body: Option.Option<ErrorBody>, retryAfter: Option.Option<string>) => {
  const code = Option.match(body, { onNone: () => "", onSome: (b) => b.code })
  const detail = Option.match(body, {
    onNone: () => `the relay answered HTTP ${status}`,
    onSome: (b) => `${b.code}: ${b.message}`.slice(0, 500)
  })
  if (code === "RELAY_AUTH" || status === 401) return new RelayAuth({ detail })
  if (code === "CONTACT_REVOKED") return new ContactRevoked({ detail })
  if (code === "NOT_A_CONTACT") return new NotAContact({ detail })
  if (code === "INVITE_INVALID") return new InviteInvalid({ detail })
  if (code === "HANDLE_TAKEN") return new HandleTaken({ detail })
  if (code === "PAYLOAD_TOO_LARGE" || status === 413) return new PayloadTooLarge({ detail })
  if (code === "RECIPIENT_QUOTA" || status === 507) return new RecipientQuota({ detail })
  if (code === "RATE_LIMITED" || status === 429) {
    const seconds = Number(Option.getOrElse(retryAfter, () => "1"))
    return new RateLimited({ detail, retryAfterMs: Number.isFinite(seconds) ? Math.max(1, seconds) * 1000 : 1000 })
  }
  // A 5xx or a bad gateway in front of the relay: as retryable as no answer at all.
  if (status >= 500) return new RelayUnreachable({ detail })
  return new RelayRefused({ detail })
}

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

/**
 * The RelayClient over @effect/platform's HttpClient. `baseUrl` must pass `parseRelayUrl` (https, or http on
 * loopback). Every body is encoded and decoded through RelayWire's schemas.
 */
export const make = (baseUrl: string) =>
  Effect.gen(function* () {
    const base = yield* parseRelayUrl(baseUrl)
    const http = (yield* HttpClient.HttpClient).pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(base)))

    const unreachable = (cause: { readonly message: string }) =>
      new RelayUnreachable({ detail: `no answer from ${base}: ${cause.message}`.slice(0, 500) })

    const execute = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.gen(function* () {
        const response = yield* http.execute(request).pipe(Effect.mapError(unreachable))
        if (response.status >= 200 && response.status < 300) return response
        const json = yield* response.json.pipe(Effect.option)
        return yield* Effect.fail(
          errorFor(
            response.status,
            Option.flatMap(json, decodeErrorBody),
            Option.fromNullable(response.headers["retry-after"])
          )
        )
      }).pipe(Effect.scoped)

    const decoded =
      <A, I>(schema: Schema.Schema<A, I>) =>
      (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, RelayError> =>
        response.json.pipe(
          Effect.mapError(unreachable),
          Effect.flatMap(Schema.decodeUnknown(schema)),
          Effect.mapError((e) =>
            e._tag === "ParseError" ? new RelayProtocol({ detail: `unexpected answer: ${e.message}`.slice(0, 500) }) : e
          )
        )

    const call = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>) =>
      Effect.scoped(Effect.flatMap(execute(request), decoded(schema)))

    const withBody = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>, value: A) =>
      HttpClientRequest.bodyText(request, JSON.stringify(Schema.encodeSync(schema)(value)), "application/json")

    const authed = (request: HttpClientRequest.HttpClientRequest, token: string) =>
      HttpClientRequest.bearerToken(request, token)

    return RelayClient.of({
      info: call(HttpClientRequest.get("/v1/info"), RelayInfo),
      register: (request) =>
        call(withBody(HttpClientRequest.post("/v1/accounts"), RegisterRequest, request), RegisterResponse),
      logout: (token) => Effect.asVoid(Effect.scoped(execute(authed(HttpClientRequest.del("/v1/token"), token)))),
      rotateToken: (token, newToken) =>
        Effect.asVoid(
          call(
            withBody(authed(HttpClientRequest.post("/v1/token/rotate"), token), RotateTokenRequest, {
              token: newToken
            }),
            AnyOk
          )
        ),
      rotateIdentity: (token, rotation, ek) =>
        Effect.asVoid(
          call(
            withBody(authed(HttpClientRequest.post("/v1/account/identity"), token), RotateIdentityRequest, {
              rotation,
              ek
            }),
            RotateIdentityResponse
          )
        ),
      identityRotations: (token) =>
        Effect.map(
          call(authed(HttpClientRequest.get("/v1/identity-rotations"), token), IdentityRotationsResponse),
          (r) => r.rotations
        ),
      contacts: (token) =>
        Effect.map(call(authed(HttpClientRequest.get("/v1/contacts"), token), ContactsResponse), (r) => r.contacts),
      send: (token, envelope) =>
        call(withBody(authed(HttpClientRequest.post("/v1/messages"), token), Envelope, envelope), SendResponse),
      inbox: (token, after, waitSeconds) =>
        call(
          authed(HttpClientRequest.get("/v1/inbox"), token).pipe(
            HttpClientRequest.setUrlParams({ after: String(after), wait: String(waitSeconds) })
          ),
          InboxResponse
        ),
      // The answer is read to its end, so a kept-alive connection goes back to the pool at once.
      ack: (token, upTo) =>
        Effect.asVoid(
          call(withBody(authed(HttpClientRequest.post("/v1/inbox/ack"), token), AckRequest, { upTo }), AnyOk)
        ),
      sentStatus: (token, id) =>
        call(authed(HttpClientRequest.get(`/v1/sent/${encodeURIComponent(id)}`), token), SentStatusResponse),
      putBlob: (token, blobId, grants, ciphertext) =>
        Effect.asVoid(
          call(
            authed(HttpClientRequest.put(`/v1/blobs/${blobId}`), token).pipe(
              HttpClientRequest.setHeader("x-sb-grant", grants.join(",")),
              // Sealed as the socket takes it, once per attempt (ArtifactCipher.ts): never whole in memory.
              HttpClientRequest.bodyStream(
                Stream.suspend(() => Stream.fromIterable(ciphertext.chunks())),
                {
                  contentType: "application/octet-stream",
                  contentLength: ciphertext.size
                }
              )
            ),
            BlobPutResponse
          )
        ),
      getBlob: (token, blobId) =>
        Effect.scoped(
          Effect.flatMap(execute(authed(HttpClientRequest.get(`/v1/blobs/${blobId}`), token)), (response) =>
            Effect.map(Effect.mapError(response.arrayBuffer, unreachable), (buffer) => new Uint8Array(buffer))
          )
        ),
      publishEk: (token, ek) =>
        Effect.asVoid(
          call(withBody(authed(HttpClientRequest.put("/v1/account/ek"), token), PublishEkRequest, { ek }), AnyOk)
        ),
      createInvite: (token, invite) =>
        Effect.asVoid(
          call(withBody(authed(HttpClientRequest.post("/v1/invites"), token), CreateInviteRequest, invite), AnyOk)
        ),
      lookupInvite: (token, id) =>
        call(authed(HttpClientRequest.get(`/v1/invites/${toBase64Url(id)}`), token), InviteLookup),
      redeemInvite: (token, id, reply) =>
        call(
          withBody(authed(HttpClientRequest.post(`/v1/invites/${toBase64Url(id)}/redeem`), token), RedeemRequest, {
            reply
          }),
          RedeemResponse
        ),
      redeemedInvites: (token) =>
        Effect.map(
          call(
            authed(HttpClientRequest.get("/v1/invites"), token).pipe(
              HttpClientRequest.setUrlParams({ state: "redeemed" })
            ),
            RedeemedInvites
          ),
          (r) => r.invites
        ),
      revokeInvite: (token, id) =>
        Effect.asVoid(call(authed(HttpClientRequest.del(`/v1/invites/${toBase64Url(id)}`), token), AnyOk)),
      acceptContact: (token, handle) =>
        Effect.asVoid(call(authed(HttpClientRequest.post(`/v1/contacts/${handle}/accept`), token), AnyOk)),
      revokeContact: (token, handle) =>
        Effect.asVoid(call(authed(HttpClientRequest.post(`/v1/contacts/${handle}/revoke`), token), AnyOk)),
      putPresence: (token, blobs) =>
        Effect.asVoid(
          call(
            withBody(authed(HttpClientRequest.put("/v1/presence"), token), PutPresenceRequest, {
              blobs: Object.fromEntries(blobs)
            }),
            AnyOk
          )
        ),
      presence: (token) =>
        Effect.map(call(authed(HttpClientRequest.get("/v1/presence"), token), PresenceResponse), (r) => r.presence)
    })
  })

/** The relay client for `baseUrl`, over whichever HttpClient the program provides (NodeHttpClient in the CLI). */
export const layer = (baseUrl: string) => Layer.effect(RelayClient, make(baseUrl))
