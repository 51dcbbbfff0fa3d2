import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { fromBase64Url } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { BadRequest } from "./HttpErrors.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { RelayAuth, type RelayStoreIo } from "./RelayErrors.js"
import { type AccountId, RelayStore } from "./RelayStore.js"
import { Caps } from "./RelaySettings.js"
import { currentView, type RequestView } from "./RequestView.js"

/** An account id on the wire: `acct_` and the database id. */
export const wireAccountId = (id: AccountId): string => `acct_${id}`
export const parseAccountId = (text: string): Option.Option<AccountId> => {
  const m = /^acct_([1-9][0-9]{0,14})$/.exec(text)
  return m?.[1] === undefined ? Option.none() : Option.some(Number(m[1]))
}

/** A lowercase hex SHA-256 as bytes. */
export const parseHex32 = (text: string): Option.Option<Uint8Array> =>
  /^[0-9a-f]{64}$/.test(text) ? Either.getRight(Encoding.decodeHex(text)) : Option.none()

export const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

/**
 * The client's address for per-IP limits. A request that reaches the relay from loopback with `X-Forwarded-For`
 * came through a local reverse proxy (Caddy in the quickstart): the last hop the proxy added names the client.
 */
export const clientIpOf = (view: RequestView): string => {
  const peer = view.remoteAddress ?? "unknown"
  const forwarded = view.header("x-forwarded-for")
  if (LOOPBACK.test(peer) && forwarded !== undefined && forwarded.trim() !== "") {
    const hops = forwarded.split(",").map((h) => h.trim())
    return hops[hops.length - 1] || peer
  }
  return peer
}

/** The current request's client address (see `clientIpOf`). */
export const clientIp = Effect.map(currentView, clientIpOf)

/** A schema's failure as the 400 every route answers: the first issue's path and message. */
const badBody = (error: ParseResult.ParseError) => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const where = first === undefined || first.path.length === 0 ? "body" : first.path.join(".")
  return new BadRequest({ detail: `${where}: ${(first?.message ?? "invalid").slice(0, 300)}` })
}

/** JSON text decoded with `schema` (the schema's synchronous decoder, no fiber of its own): anything else is 400. */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (text: string): Either.Either<A, BadRequest> => {
    const parsed = Either.try({
      try: (): unknown => JSON.parse(text),
      catch: () => new BadRequest({ detail: "the body is not JSON" })
    })
    return Either.flatMap(parsed, (u) => Either.mapLeft(decode(u), badBody))
  }
}

/** The view's JSON body decoded with `schema`; over `maxBytes` is 413, anything unreadable 400. */
export const bodyOf = <A, I>(view: RequestView, schema: Schema.Schema<A, I>, maxBytes: number = Caps.jsonBodyBytes) => {
  const decode = decodeJson(schema)
  return Effect.flatMap(view.text(maxBytes), (text) => decode(text))
}

/** The request's JSON body decoded with `schema`; over `maxBytes` is 413, anything unreadable 400. */
export const body = <A, I>(schema: Schema.Schema<A, I>, maxBytes: number = Caps.jsonBodyBytes) =>
  Effect.flatMap(currentView, (view) => bodyOf(view, schema, maxBytes))

/** A path parameter, decoded; a malformed one is 400 unless `orElse` names the failure to give instead. */
export const param = <A, E = BadRequest>(
  name: string,
  decode: (text: string) => Option.Option<A>,
  orElse?: () => E
): Effect.Effect<A, E | BadRequest, HttpRouter.RouteContext> =>
  Effect.flatMap(HttpRouter.params, (params) => {
    const raw = params[name]
    const value = raw === undefined ? Option.none() : decode(raw)
    if (Option.isSome(value)) return Effect.succeed(value.value)
    return Effect.fail(orElse ? orElse() : new BadRequest({ detail: `the path's ${name} is malformed` }))
  })

/** base64url bytes of an exact length. */
export const base64UrlOf =
  (length: number) =>
  (text: string): Option.Option<Uint8Array> =>
    Option.filter(fromBase64Url(text), (bytes) => bytes.length === length)

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,100})$/

/** The services authentication uses, resolved once by the caller. */
export interface AuthServices {
  readonly store: RelayStore["Type"]
  readonly limiter: RateLimiter["Type"]
  readonly crypto: CloudCrypto["Type"]
}

export const authServices = Effect.all({ store: RelayStore, limiter: RateLimiter, crypto: CloudCrypto })

/** The bearer token's hash looked up with `lookup`; 401 `RELAY_AUTH` (and a failure counted against the address). */
const bearerWith = <A>(
  { crypto, limiter }: Omit<AuthServices, "store">,
  view: RequestView,
  lookup: (tokenHash: Uint8Array) => Effect.Effect<A, RelayAuth | RelayStoreIo>
) => {
  const m = BEARER.exec(view.header("authorization") ?? "")
  const token = m?.[1] === undefined ? Option.none() : fromBase64Url(m[1])
  const found = Option.isNone(token)
    ? Effect.fail(new RelayAuth())
    : Effect.flatMap(crypto.sha256(token.value), (tokenHash) =>
        Effect.map(lookup(tokenHash), (a) => ({ a, tokenHash }))
      )
  return Effect.tapError(found, (error) =>
    error._tag === "RelayAuth" ? limiter.take(Rules.authFailure, clientIpOf(view)) : Effect.void
  )
}

const bearerOf = <A>(
  view: RequestView,
  lookup: (tokenHash: Uint8Array) => Effect.Effect<A, RelayAuth | RelayStoreIo>
) =>
  Effect.flatMap(Effect.zip(RateLimiter, CloudCrypto), ([limiter, crypto]) =>
    bearerWith({ limiter, crypto }, view, lookup)
  )

const bearer = <A>(lookup: (tokenHash: Uint8Array) => Effect.Effect<A, RelayAuth | RelayStoreIo>) =>
  Effect.flatMap(currentView, (view) => bearerOf(view, lookup))

/**
 * The account behind the bearer token. No token, a wrong one, a revoked one or a disabled account: 401
 * `RELAY_AUTH`; more than 20 failures a minute from one address answer 429 instead. The token is only hashed.
 */
export const authenticatedToken = Effect.flatMap(RelayStore, (store) =>
  Effect.map(bearer(store.accountForToken), ({ a, tokenHash }) => ({ account: a, tokenHash }))
)

/** The account behind the bearer token (see `authenticatedToken`). */
export const authenticated = Effect.map(authenticatedToken, ({ account }) => account)

/**
 * The id alone of the account behind the bearer token, from the store's token cache when it has one (the message
 * routes, which need nothing else of the account): the same refusals as `authenticated`.
 */
export const authenticatedIdWith = (services: AuthServices, view: RequestView) =>
  Effect.map(bearerWith(services, view, services.store.accountIdForToken), ({ a }) => a)

/** The id of the account behind the current request's bearer token (see `authenticatedIdWith`). */
export const authenticatedId = Effect.flatMap(Effect.zip(authServices, currentView), ([services, view]) =>
  authenticatedIdWith(services, view)
)
