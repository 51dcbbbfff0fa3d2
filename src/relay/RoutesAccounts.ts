import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { toBase64Url, utf8 } from "../protocol/Bytes.js"
import { encodeCanonical } from "../protocol/CanonicalJson.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { verifyEncryptionKey } from "../protocol/Keys.js"
import { KeyRecordInvalid } from "../protocol/ProtocolErrors.js"
import { verifyRegistrationProof } from "../protocol/Statements.js"
import { EncryptionKeyRecord, Handle, PublicKey, Signature } from "../protocol/WireSchemas.js"
import { RegistrationCodeInvalid } from "./HttpErrors.js"
import { authenticated, authenticatedToken, body, clientIp, json, wireAccountId } from "./Http.js"
import { RateLimiter, Rules } from "./RateLimiter.js"
import { RelaySettings } from "./RelaySettings.js"
import { RelayStore } from "./RelayStore.js"

const Register = Schema.Struct({
  handle: Handle,
  ikPub: PublicKey,
  ek: EncryptionKeyRecord,
  proof: Signature,
  ts: Schema.Int.pipe(Schema.nonNegative()),
  registrationCode: Schema.optional(Schema.String.pipe(Schema.maxLength(200)))
})

const PublishEk = Schema.Struct({ ek: EncryptionKeyRecord })

/** Compares in time independent of where the strings differ. */
const sameSecret = (a: string, b: string): boolean => {
  const x = utf8(a)
  const y = utf8(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

/** The stored form of a signed EK record: its canonical JSON (served back as is in contact lists). */
export const ekBytes = (ek: EncryptionKeyRecord) =>
  encodeCanonical(EncryptionKeyRecord, ek).pipe(Effect.mapError((e) => new KeyRecordInvalid({ detail: e.message })))

/**
 * `POST /v1/accounts`: a signed, timestamped proof bound to this relay's id (±5 min), the registration code when
 * the relay needs one, 5 registrations an hour per address. Answers `{accountId, token}`; the relay keeps only
 * the token's SHA-256. The account, its token and the audit row are written in one transaction.
 */
const register = Effect.gen(function* () {
  const store = yield* RelayStore
  const settings = yield* RelaySettings
  const crypto = yield* CloudCrypto
  yield* (yield* RateLimiter).take(Rules.register, yield* clientIp)
  const input = yield* body(Register)
  if (Option.isSome(settings.registrationCode)) {
    const given = input.registrationCode ?? ""
    if (!sameSecret(given, settings.registrationCode.value)) return yield* new RegistrationCodeInvalid()
  }
  yield* verifyRegistrationProof(
    { relayId: store.relayId, handle: input.handle, ikPub: input.ikPub, ts: input.ts, sig: input.proof },
    store.relayId
  )
  yield* verifyEncryptionKey(input.ikPub, input.ek)
  const token = yield* crypto.randomBytes(32)
  const account = yield* store.createAccountWithToken({
    handle: input.handle,
    ikPub: input.ikPub,
    ekRecord: yield* ekBytes(input.ek),
    ekSeq: input.ek.seq,
    tokenHash: yield* crypto.sha256(token),
    tokenLabel: "register"
  })
  yield* Effect.logInfo("registered").pipe(Effect.annotateLogs({ account: wireAccountId(account.id) }))
  return json({ accountId: wireAccountId(account.id), handle: account.handle, token: toBase64Url(token) }, 201)
})

/** `PUT /v1/account/ek`: a newer signed encryption-key record (seq must rise; CLOUD.md 2.11). */
const publishEk = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const input = yield* body(PublishEk)
  yield* verifyEncryptionKey(account.ikPub, input.ek)
  yield* store.updateEkRecord(account.id, yield* ekBytes(input.ek), input.ek.seq)
  return json({ seq: input.ek.seq })
})

/** `GET /v1/account`: who the token belongs to. */
const whoami = Effect.map(authenticated, (account) =>
  json({ accountId: wireAccountId(account.id), handle: account.handle, ackedSeq: account.ackedSeq })
)

/** `DELETE /v1/token`: revokes the token used (`cloud logout`); the next request with it is 401. */
const logout = Effect.gen(function* () {
  const store = yield* RelayStore
  const { account, tokenHash } = yield* authenticatedToken
  yield* store.revokeToken(tokenHash)
  yield* store.audit(account.id, "token_revoked", "logout")
  return json({ revoked: true })
})

export const accountRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/healthz", Effect.succeed(json({ ok: true }))),
  HttpRouter.get(
    "/v1/info",
    Effect.gen(function* () {
      const store = yield* RelayStore
      const settings = yield* RelaySettings
      return json({
        relayId: store.relayId,
        protocol: "sb1",
        registration: Option.isSome(settings.registrationCode) ? "code" : "open"
      })
    })
  ),
  HttpRouter.post("/v1/accounts", register),
  HttpRouter.get("/v1/account", whoami),
  HttpRouter.put("/v1/account/ek", publishEk),
  HttpRouter.del("/v1/token", logout)
)
