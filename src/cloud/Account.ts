import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { KeyPair } from "../protocol/CloudCrypto.js"
import { CloudNotConfigured } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import type { Credentials, StoredEncryptionKey } from "./CloudState.js"

/** This home's account: credentials, identity key, and the encryption key published now. */
export interface Account {
  readonly credentials: Credentials
  readonly identity: KeyPair
  readonly currentKey: StoredEncryptionKey
}

/** The newest encryption key valid now (else the newest one at all). */
export const currentKeyOf = (keys: ReadonlyArray<StoredEncryptionKey>, now: number) =>
  Option.fromNullable(keys.find((k) => k.record.notBefore <= now && now < k.record.notAfter) ?? keys[0])

/** Fails CLOUD_NOT_CONFIGURED unless `cloud register` left credentials, an identity key and an encryption key. */
export const requireAccount = Effect.gen(function* () {
  const home = yield* CloudHome
  const credentials = yield* home.credentials
  if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
  const identity = yield* home.identity
  if (Option.isNone(identity)) return yield* new CloudNotConfigured({ detail: "no identity key on this home" })
  const now = yield* Clock.currentTimeMillis
  const key = currentKeyOf(yield* home.encryptionKeys, now)
  if (Option.isNone(key)) return yield* new CloudNotConfigured({ detail: "no encryption key on this home" })
  return { credentials: credentials.value, identity: identity.value, currentKey: key.value } satisfies Account
})
