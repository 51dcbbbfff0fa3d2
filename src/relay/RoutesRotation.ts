import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { bytesEqual, toBase64Url } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { verifyEncryptionKey } from "../protocol/Keys.js"
import { RotationInvalid } from "../protocol/ProtocolErrors.js"
import { verifyRotation } from "../protocol/Statements.js"
import { Base64UrlBytes, EncryptionKeyRecord, RotationStatement } from "../protocol/WireSchemas.js"
import { BadRequest } from "./HttpErrors.js"
import { authenticated, authenticatedToken, body, json, wireAccountId } from "./Http.js"
import { RelayStore } from "./RelayStore.js"
import { ekBytes } from "./RoutesAccounts.js"

const NewToken = Schema.Struct({
  token: Base64UrlBytes.pipe(Schema.filter((b) => b.length === 32 || "the new token is 32 random bytes (base64url)"))
})
const RotateIdentity = Schema.Struct({ rotation: RotationStatement, ek: EncryptionKeyRecord })

/**
 * `POST /v1/token/rotate {token}`: the client's new token (32 random bytes it made and saved first) replaces the one
 * used, in one transaction: from the answer on, the old token is 401. A retry after the commit is 401 with the old
 * token; the client then finds its new token live (CLOUD.md 2.10, docs/relay-api.md).
 */
const rotateToken = Effect.gen(function* () {
  const store = yield* RelayStore
  const crypto = yield* CloudCrypto
  const { account, tokenHash } = yield* authenticatedToken
  const input = yield* body(NewToken)
  const newTokenHash = yield* crypto.sha256(input.token)
  const rotated = yield* store.rotateToken({ accountId: account.id, oldTokenHash: tokenHash, newTokenHash })
  if (!rotated) return yield* new BadRequest({ detail: "that token is already in use: make another one" })
  yield* Effect.logInfo("token_rotated").pipe(Effect.annotateLogs({ account: wireAccountId(account.id) }))
  return json({ rotated: true })
})

/**
 * `POST /v1/account/identity {rotation, ek}`: a continuity statement from the account's identity key to a new one,
 * signed by both, and the encryption-key record the new key signed. The key, the record and the kept statement
 * change in one transaction; the same statement again answers `duplicate: true` (a retry).
 */
const rotateIdentity = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const { rotation, ek } = yield* body(RotateIdentity)
  if (!bytesEqual(account.ikPub, rotation.newIk)) yield* verifyRotation(account.ikPub, rotation)
  yield* verifyEncryptionKey(rotation.newIk, ek)
  const outcome = yield* store.rotateIdentity({
    accountId: account.id,
    oldIk: rotation.oldIk,
    newIk: rotation.newIk,
    ts: rotation.ts,
    sigOld: rotation.sigOld,
    sigNew: rotation.sigNew,
    ekRecord: yield* ekBytes(ek),
    ekSeq: ek.seq
  })
  if (outcome === "stale")
    return yield* new RotationInvalid({ detail: "the statement does not start from the account's identity key" })
  if (outcome === "rotated")
    yield* Effect.logInfo("identity_rotated").pipe(Effect.annotateLogs({ account: wireAccountId(account.id) }))
  return json({ rotated: true, duplicate: outcome === "duplicate" })
})

/** `GET /v1/identity-rotations`: the continuity statements of this account's contacts, oldest first. */
const listRotations = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const rotations = yield* store.listIdentityRotations(account.id)
  return json({
    rotations: rotations.map((r) => ({
      accountId: wireAccountId(r.accountId),
      oldIk: toBase64Url(r.oldIk),
      newIk: toBase64Url(r.newIk),
      ts: r.ts,
      sigOld: toBase64Url(r.sigOld),
      sigNew: toBase64Url(r.sigNew),
      createdAt: r.createdAt
    }))
  })
})

export const rotationRoutes = HttpRouter.empty.pipe(
  HttpRouter.post("/v1/token/rotate", rotateToken),
  HttpRouter.post("/v1/account/identity", rotateIdentity),
  HttpRouter.get("/v1/identity-rotations", listRotations)
)
