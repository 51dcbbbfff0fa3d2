import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { bytesEqual, concat, toBase64Url } from "../protocol/Bytes.js"
import { Base64UrlBytes } from "../protocol/WireSchemas.js"
import { readUpload } from "./BlobUpload.js"
import { BadRequest, BlobHashMismatch, NotFound, TooLarge } from "./HttpErrors.js"
import { authenticated, body, json, param, parseAccountId, parseHex32, wireAccountId } from "./Http.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { ContactRevoked, NotAContact } from "./RelayErrors.js"
import { Caps } from "./RelaySettings.js"
import { type AccountId, RelayStore } from "./RelayStore.js"

const blobParam = param("sha256", parseHex32)

/** Every named account must be an active contact of `self`. */
const requireContacts = (self: AccountId, ids: ReadonlyArray<AccountId>) =>
  Effect.gen(function* () {
    const store = yield* RelayStore
    for (const id of ids) {
      const contact = yield* store.getContact(self, id)
      if (Option.isNone(contact)) return yield* new NotAContact()
      if (contact.value.state === "revoked") return yield* new ContactRevoked()
      if (contact.value.state !== "active") return yield* new NotAContact()
    }
  })

const parseGrants = (header: string | undefined) => {
  const parts = (header ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
  const ids = parts.map(parseAccountId)
  return parts.length > 0 && parts.length <= 64 && ids.every(Option.isSome)
    ? Option.some([...new Set(ids.map((o) => o.value))])
    : Option.none()
}

/**
 * `PUT /v1/blobs/{sha256}` with `X-SB-Grant: acct_…[,acct_…]`: the ciphertext, read as a stream with a running
 * cap (over it: 413 at once) and hashed as it arrives, checked against the hash in the path, readable by its grantees until every one of
 * them acked past it or it expires (7 days). 100 MiB an hour of uploads per account.
 */
const put = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const request = yield* HttpServerRequest.HttpServerRequest
  const blobId = yield* blobParam
  const grants = yield* Option.match(parseGrants(request.headers["x-sb-grant"]), {
    onNone: () => Effect.fail(new BadRequest({ detail: "X-SB-Grant lists 1-64 recipient account ids" })),
    onSome: Effect.succeed
  })
  yield* requireContacts(account.id, grants)
  const declared = Number(request.headers["content-length"] ?? "0")
  if (declared > Caps.blobBytes) return yield* new TooLarge({ what: "blob", limit: Caps.blobBytes })
  const upload = yield* readUpload(request.stream, Caps.blobBytes)
  yield* (yield* RateLimiter).take(Rules.blobBytes, String(account.id), upload.size)
  if (!bytesEqual(upload.sha256, blobId)) return yield* new BlobHashMismatch()
  const data = concat(...upload.parts)
  const now = yield* Clock.currentTimeMillis
  const { duplicate } = yield* store.putBlob({
    blobId,
    uploaderId: account.id,
    data,
    expiresAt: now + Caps.ttlMs,
    grants
  })
  return json({ size: data.length, duplicate }, duplicate ? 200 : 201)
})

/** `GET /v1/blobs/{sha256}`: the ciphertext, for a grantee only (anyone else: 404). */
const get = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const blobId = yield* blobParam
  const blob = yield* store.getBlob(blobId, account.id)
  if (Option.isNone(blob)) return yield* new NotFound({ what: "no such blob for this account" })
  yield* store.markBlobFetched(blobId, account.id)
  return HttpServerResponse.uint8Array(concat(...blob.value.chunks), {
    status: 200,
    contentType: "application/octet-stream"
  })
})

const PutPresence = Schema.Struct({
  blobs: Schema.Record({
    key: Schema.String,
    value: Base64UrlBytes.pipe(
      Schema.filter(
        (b) => b.length <= Caps.presenceBlobBytes || `a presence blob is at most ${Caps.presenceBlobBytes} bytes`
      )
    )
  })
})

/** `PUT /v1/presence {blobs: {acct_…: sealed}}`: one sealed blob per contact, replacing the last one. */
const putPresence = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const input = yield* body(PutPresence)
  const entries = Object.entries(input.blobs)
  if (entries.length > Caps.presenceViewers) {
    return yield* new BadRequest({ detail: `at most ${Caps.presenceViewers} presence blobs` })
  }
  const blobs: Array<{ viewerId: AccountId; blob: Uint8Array }> = []
  for (const [key, blob] of entries) {
    const viewerId = parseAccountId(key)
    if (Option.isNone(viewerId)) return yield* new BadRequest({ detail: "presence keys are account ids" })
    blobs.push({ viewerId: viewerId.value, blob })
  }
  yield* requireContacts(
    account.id,
    blobs.map((b) => b.viewerId)
  )
  yield* store.putPresence(account.id, blobs)
  return json({ stored: blobs.length })
})

/** `GET /v1/presence`: the sealed presence blobs contacts left for this account. */
const getPresence = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const blobs = yield* store.getPresence(account.id)
  return json({
    presence: blobs.map((p) => ({ from: wireAccountId(p.ownerId), blob: toBase64Url(p.blob), updatedAt: p.updatedAt }))
  })
})

export const blobRoutes = HttpRouter.empty.pipe(
  HttpRouter.put("/v1/blobs/:sha256", put),
  HttpRouter.get("/v1/blobs/:sha256", get),
  HttpRouter.put("/v1/presence", putPresence),
  HttpRouter.get("/v1/presence", getPresence)
)
