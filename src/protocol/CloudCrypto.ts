import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { AeadFailed, KeyMaterialInvalid } from "./ProtocolErrors.js"

/** A key pair: the raw 32-byte public key (JWK `x`) and the private key as PKCS8 DER (what `identity.key` holds). */
export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly privateKey: Uint8Array
}

/**
 * The primitives that sealing and opening an envelope run one after another, as plain calls: the effects of
 * `CloudCrypto` are these, wrapped. A seal or an open is then one step of its fiber instead of one per primitive
 * (docs/adr/0054-sb1-seal-and-open-on-the-hot-path.md). Same contracts as the effects of the same names.
 */
export interface CloudCryptoSync {
  readonly ed25519Sign: (privateKey: Uint8Array, message: Uint8Array) => Either.Either<Uint8Array, KeyMaterialInvalid>
  readonly ed25519Verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
  readonly x25519Generate: () => KeyPair
  readonly x25519: (privateKey: Uint8Array, peerPublicKey: Uint8Array) => Either.Either<Uint8Array, KeyMaterialInvalid>
  readonly hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: string, length: number) => Uint8Array
  readonly aeadSeal: (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) => Uint8Array
  readonly aeadOpen: (
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array
  ) => Either.Either<Uint8Array, AeadFailed>
  readonly sha256: (data: Uint8Array) => Uint8Array
  /** `aeadSeal`, written into `target` at `offset` instead of a new array; returns the bytes written. */
  readonly aeadSealInto: (
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    target: Uint8Array,
    offset: number
  ) => number
  /** `aeadOpen`, written into `target` at `offset`; returns the bytes written. On failure `target` holds no meaning. */
  readonly aeadOpenInto: (
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
    target: Uint8Array,
    offset: number
  ) => Either.Either<number, AeadFailed>
  /** SHA-256 over data given in pieces, so a large input is hashed while it is still in the cache. */
  readonly sha256Hasher: () => Sha256Hasher
}

export interface Sha256Hasher {
  readonly update: (data: Uint8Array) => void
  readonly digest: () => Uint8Array
}

/**
 * The primitives the sb1 protocol is built from (docs/cloud-protocol.md). One live layer over node:crypto
 * (`src/platform/NodeCloudCrypto.ts`: `layer`) and a seeded one for tests (`layerSeeded`), where key generation and
 * random bytes come from a seed so that test vectors are stable.
 */
export class CloudCrypto extends Context.Tag("session-bridge/CloudCrypto")<
  CloudCrypto,
  {
    readonly randomBytes: (length: number) => Effect.Effect<Uint8Array>
    readonly ed25519Generate: Effect.Effect<KeyPair>
    /** The public half of a PKCS8 Ed25519 private key. */
    readonly ed25519Public: (privateKey: Uint8Array) => Effect.Effect<Uint8Array, KeyMaterialInvalid>
    /** A 64-byte Ed25519 signature. */
    readonly ed25519Sign: (privateKey: Uint8Array, message: Uint8Array) => Effect.Effect<Uint8Array, KeyMaterialInvalid>
    /** False for a wrong signature and for a malformed key or signature: never fails. */
    readonly ed25519Verify: (
      publicKey: Uint8Array,
      message: Uint8Array,
      signature: Uint8Array
    ) => Effect.Effect<boolean>
    readonly x25519Generate: Effect.Effect<KeyPair>
    readonly x25519Public: (privateKey: Uint8Array) => Effect.Effect<Uint8Array, KeyMaterialInvalid>
    /** The 32-byte X25519 shared secret; fails on a malformed key or an all-zero (low-order) result. */
    readonly x25519: (
      privateKey: Uint8Array,
      peerPublicKey: Uint8Array
    ) => Effect.Effect<Uint8Array, KeyMaterialInvalid>
    readonly hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: string, length: number) => Effect.Effect<Uint8Array>
    /** ChaCha20-Poly1305 with a 32-byte key and 12-byte nonce: ciphertext ‖ 16-byte tag. */
    readonly aeadSeal: (
      key: Uint8Array,
      nonce: Uint8Array,
      plaintext: Uint8Array,
      aad: Uint8Array
    ) => Effect.Effect<Uint8Array>
    readonly aeadOpen: (
      key: Uint8Array,
      nonce: Uint8Array,
      sealed: Uint8Array,
      aad: Uint8Array
    ) => Effect.Effect<Uint8Array, AeadFailed>
    readonly sha256: (data: Uint8Array) => Effect.Effect<Uint8Array>
    readonly sync: CloudCryptoSync
  }
>() {}
