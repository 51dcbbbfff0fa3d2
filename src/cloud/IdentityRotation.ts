import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { bytesEqual, toHex } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { fingerprint, generateEncryptionKey, generateIdentity } from "../protocol/Keys.js"
import { makeRotation } from "../protocol/Statements.js"
import type { KeyId } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { requireAccount } from "./Account.js"
import { CloudStateCorrupt } from "./CloudErrors.js"
import { CloudHome, readCloudDoc } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { PendingRotation, PreviousIdentities } from "./CloudState.js"
import { EK_LIFETIME_MS } from "./Register.js"
import { RelayClient } from "./RelayClient.js"

/*
 * `cloud rotate-identity` (CLOUD.md 2.11): a new Ed25519 identity key, a continuity statement signed by the old and
 * the new key, and a new encryption key signed by the new one, published together. Order, so that a crash anywhere
 * loses nothing: (1) the new key (identity-next.key) and the statement with the new EK (rotation.json) are written;
 * (2) the relay swaps the account's keys and keeps the statement in one transaction (the same statement again is a
 * success); (3) the new EK joins keys/, the old identity key's public half goes to identity-previous.json, the new
 * key replaces identity.key; (4) the pending files are removed. A run that finds rotation.json resumes at (2).
 */

/** How long envelopes sealed to or signed by a rotated-away identity key are still accepted: the message TTL. */
export const PREVIOUS_IK_GRACE_MS = 7 * 24 * 60 * 60 * 1000

const encodeJson = <A, I>(schema: Schema.Schema<A, I>, value: A) =>
  JSON.stringify(Schema.encodeSync(schema)(value), null, 2) + "\n"

const readJson = <A, I>(path: string, schema: Schema.Schema<A, I>) =>
  Effect.flatMap(Store, (store) => readCloudDoc(store, path, schema))

/** The identity keys this home rotated away from that contacts may still have sealed to (not yet expired). */
export const previousIdentities = Effect.gen(function* () {
  const now = yield* Clock.currentTimeMillis
  const file = yield* readJson(CloudLayout.previousIdentities, PreviousIdentities)
  return Option.match(file, { onNone: () => [], onSome: (f) => f.keys.filter((k) => k.until > now) })
})

/** Steps 1 and 2 of the top comment: the pending rotation (made now, or the one an interrupted run left). */
const pendingRotation = Effect.gen(function* () {
  const store = yield* Store
  const found = yield* readJson(CloudLayout.rotation, PendingRotation)
  if (Option.isSome(found)) return { pending: found.value, resumed: true }
  const account = yield* requireAccount
  const crypto = yield* CloudCrypto
  const now = yield* Clock.currentTimeMillis
  const next = yield* generateIdentity
  const rotation = yield* makeRotation(account.identity, next)
  const newest = (yield* (yield* CloudHome).encryptionKeys)[0] ?? account.currentKey
  const keyId = `ek_${toHex(yield* crypto.randomBytes(8))}` as KeyId
  const ek = yield* generateEncryptionKey(next, {
    keyId,
    notBefore: now,
    notAfter: now + EK_LIFETIME_MS,
    seq: newest.record.seq + 1
  })
  const pending: PendingRotation = {
    v: 1,
    rotation,
    ek: { v: 1, keyId, record: ek.record, privateKey: ek.privateKey },
    createdAt: now
  }
  yield* store.write(CloudLayout.identityNextKey, next.privateKey)
  yield* store.write(CloudLayout.rotation, encodeJson(PendingRotation, pending))
  return { pending, resumed: false }
})

export const rotateIdentity = Effect.gen(function* () {
  const home = yield* CloudHome
  const store = yield* Store
  const account = yield* requireAccount
  const { pending, resumed } = yield* pendingRotation
  const nextKey = yield* store.read(CloudLayout.identityNextKey)
  const { rotation, ek } = pending
  // Step 2: identity.key may already be the new key (an interruption after step 3): the relay answers a duplicate.
  yield* (yield* RelayClient).rotateIdentity(account.credentials.token, rotation, ek.record)
  yield* home.writeEncryptionKey(ek)
  const now = yield* Clock.currentTimeMillis
  const kept = (yield* previousIdentities).filter((k) => !bytesEqual(k.ikPub, rotation.oldIk))
  yield* store.write(
    CloudLayout.previousIdentities,
    encodeJson(PreviousIdentities, {
      v: 1,
      keys: [...kept, { ikPub: rotation.oldIk, until: now + PREVIOUS_IK_GRACE_MS }]
    })
  )
  if (Option.isSome(nextKey)) yield* home.writeIdentity(nextKey.value)
  const current = yield* home.identity
  if (Option.isNone(current) || !bytesEqual(current.value.publicKey, rotation.newIk))
    return yield* new CloudStateCorrupt({
      detail: `${CloudLayout.identityKey} is not the new identity key and ${CloudLayout.identityNextKey} is missing`
    })
  yield* store.remove(CloudLayout.rotation)
  yield* store.remove(CloudLayout.identityNextKey)
  return {
    handle: account.credentials.handle,
    oldFingerprint: toHex(yield* fingerprint(rotation.oldIk)),
    newFingerprint: toHex(yield* fingerprint(rotation.newIk)),
    keyId: ek.keyId,
    rotatedAt: rotation.ts,
    resumed
  }
})
