import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { toHex } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { generateEncryptionKey } from "../protocol/Keys.js"
import type { KeyId } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import type { Account } from "./Account.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { EK_LIFETIME_MS } from "./Register.js"
import type { RelayError } from "./CloudErrors.js"
import { RelayClient } from "./RelayClient.js"

/*
 * Encryption-key rotation (CLOUD.md 2.11), run by the daemon: a day before the newest key's notAfter a new key is
 * made (seq + 1, signed by the identity key), written locally first (so mail sealed to it can be opened), then
 * published. Old private keys are kept 14 days past their notAfter (the 7-day message TTL fits inside), then shredded.
 */

export const ROTATE_BEFORE_MS = 24 * 60 * 60 * 1000
export const GRACE_MS = 14 * 24 * 60 * 60 * 1000

export interface RotationResult {
  readonly rotated: boolean
  readonly keyId: string
  readonly seq: number
  /** The highest seq the relay is known to hold (the daemon passes it back on the next call). */
  readonly publishedSeq: number
  readonly shredded: ReadonlyArray<string>
}

const isStale = (e: RelayError) => e._tag === "RelayRefused" && e.detail.startsWith("EK_SEQ_STALE")

/** Rotates when due and shreds keys past their grace; a publication that fails is retried on the next call. */
export const rotateIfDue = (account: Account, publishedSeq: number) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const store = yield* Store
    const crypto = yield* CloudCrypto
    const relay = yield* RelayClient
    const now = yield* Clock.currentTimeMillis
    const keys = yield* home.encryptionKeys
    let newest = keys[0] ?? account.currentKey
    let rotated = false
    if (now >= newest.record.notAfter - ROTATE_BEFORE_MS) {
      const keyId = `ek_${toHex(yield* crypto.randomBytes(8))}` as KeyId
      const fresh = yield* generateEncryptionKey(account.identity, {
        keyId,
        notBefore: now,
        notAfter: now + EK_LIFETIME_MS,
        seq: newest.record.seq + 1
      })
      newest = { v: 1, keyId, record: fresh.record, privateKey: fresh.privateKey }
      yield* home.writeEncryptionKey(newest)
      rotated = true
    }
    // Published until the relay has it: a refusal as stale means it already holds this seq (or a newer one).
    let published = publishedSeq
    if (newest.record.seq > publishedSeq) {
      yield* relay.publishEk(account.credentials.token, newest.record).pipe(Effect.catchIf(isStale, () => Effect.void))
      published = newest.record.seq
    }
    const shredded: Array<string> = []
    for (const key of keys)
      if (key.keyId !== newest.keyId && now > key.record.notAfter + GRACE_MS) {
        yield* store.remove(CloudLayout.encryptionKey(key.keyId))
        shredded.push(key.keyId)
      }
    return {
      rotated,
      keyId: newest.keyId,
      seq: newest.record.seq,
      publishedSeq: published,
      shredded
    } satisfies RotationResult
  })
