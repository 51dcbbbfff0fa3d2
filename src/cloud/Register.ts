import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { toHex } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { generateEncryptionKey, generateIdentity } from "../protocol/Keys.js"
import { makeRegistrationProof } from "../protocol/Statements.js"
import type { Handle, KeyId } from "../protocol/WireSchemas.js"
import { AlreadyRegistered } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import type { Credentials } from "./CloudState.js"
import { RelayClient } from "./RelayClient.js"
import { parseRelayUrl } from "./RelayUrl.js"

/** An encryption key is published for 30 days (CLOUD.md 2.11). */
export const EK_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000

export interface RegisterInput {
  readonly relayUrl: string
  readonly handle: Handle
  readonly registrationCode?: string | undefined
}

/**
 * `cloud register`: keeps (or makes) the identity key and a first encryption key under `<home>/cloud/`, proves
 * the key to this relay (its id from `GET /v1/info`, a timestamped signature) and stores the credentials. The keys
 * are written before the relay is asked, so a failed or interrupted registration is retried with the same keys.
 */
export const register = (input: RegisterInput) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const relay = yield* RelayClient
    const crypto = yield* CloudCrypto
    const relayUrl = yield* Either.match(parseRelayUrl(input.relayUrl), {
      onLeft: (e) => Effect.fail(e),
      onRight: (url) => Effect.succeed(url)
    })
    const existing = yield* home.credentials
    if (Option.isSome(existing))
      return yield* new AlreadyRegistered({
        detail: `this home is registered as ${existing.value.handle} on ${existing.value.relayUrl}`
      })
    const now = yield* Clock.currentTimeMillis
    const identity = yield* Option.match(yield* home.identity, {
      onSome: (pair) => Effect.succeed(pair),
      onNone: () => Effect.tap(generateIdentity, (pair) => home.writeIdentity(pair.privateKey))
    })
    const keys = yield* home.encryptionKeys
    const ek = keys.find((k) => k.record.notAfter > now)
    const current =
      ek ??
      (yield* Effect.gen(function* () {
        const keyId = `ek_${toHex(yield* crypto.randomBytes(8))}` as KeyId
        const fresh = yield* generateEncryptionKey(identity, {
          keyId,
          notBefore: now,
          notAfter: now + EK_LIFETIME_MS,
          seq: (keys[0]?.record.seq ?? 0) + 1
        })
        const stored = { v: 1 as const, keyId, record: fresh.record, privateKey: fresh.privateKey }
        yield* home.writeEncryptionKey(stored)
        return stored
      }))
    const info = yield* relay.info
    const proof = yield* makeRegistrationProof(identity, info.relayId, input.handle)
    const account = yield* relay.register({
      handle: input.handle,
      ikPub: identity.publicKey,
      ek: current.record,
      proof: proof.sig,
      ts: proof.ts,
      ...(input.registrationCode !== undefined ? { registrationCode: input.registrationCode } : {})
    })
    const credentials: Credentials = {
      v: 1,
      relayUrl,
      relayId: info.relayId,
      handle: input.handle,
      accountId: account.accountId,
      token: account.token,
      registeredAt: now
    }
    yield* home.writeCredentials(credentials)
    return credentials
  })
