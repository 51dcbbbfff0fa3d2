import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hash,
  randomBytes as nodeRandomBytes,
  sign,
  verify,
  type KeyObject
} from "node:crypto"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { CloudCrypto, type CloudCryptoSync, type KeyPair } from "../protocol/CloudCrypto.js"
import { AeadFailed, KeyMaterialInvalid } from "../protocol/ProtocolErrors.js"

/*
 * CloudCrypto over node:crypto (OpenSSL). Keys are generated from 32 random bytes: the PKCS8 DER of an Ed25519 or
 * X25519 private key is a fixed 16-byte prefix followed by those bytes (RFC 8410), so the seeded test layer and
 * the live layer share every line except where the bytes come from.
 */

type Curve = "ed25519" | "x25519"

const PKCS8_PREFIX: Record<Curve, Uint8Array> = {
  ed25519: Uint8Array.from([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  ]),
  x25519: Uint8Array.from([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20
  ])
}
const JWK_CURVE: Record<Curve, string> = { ed25519: "Ed25519", x25519: "X25519" }
const TAG_LENGTH = 16

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** Parsed keys, by the array that holds them: an identity key signs many messages, and parsing costs. */
const parsed = new WeakMap<Uint8Array, KeyObject>()

const privateKeyObject = (curve: Curve, der: Uint8Array): KeyObject | undefined => {
  const cached = parsed.get(der)
  if (cached !== undefined && cached.asymmetricKeyType === curve) return cached
  const key = parsePrivate(curve, der)
  if (key !== undefined) parsed.set(der, key)
  return key
}

/**
 * Our keys are always the 16-byte RFC 8410 prefix and the 32 raw bytes; those are imported as a JWK `d`, about 8×
 * cheaper than OpenSSL 3's PKCS8 decoder (≈ 1 ms a key here, which made every seal's ephemeral key the costliest
 * step). Anything else goes through the decoder, which also rejects what is not a key of `curve`.
 */
const parsePrivate = (curve: Curve, der: Uint8Array): KeyObject | undefined => {
  try {
    const key = hasPrefix(der, PKCS8_PREFIX[curve])
      ? createPrivateKey({
          key: { kty: "OKP", crv: JWK_CURVE[curve], d: Buffer.from(der.subarray(16)).toString("base64url"), x: "" },
          format: "jwk"
        })
      : createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" })
    return key.asymmetricKeyType === curve ? key : undefined
  } catch {
    return undefined
  }
}

const hasPrefix = (der: Uint8Array, prefix: Uint8Array) =>
  der.length === prefix.length + 32 && prefix.every((byte, i) => der[i] === byte)

/** Public keys by curve and bytes: a contact's keys are used for every message to or from it. At most 256. */
const publicKeys = new Map<string, KeyObject>()
const PUBLIC_KEYS_KEPT = 256

const publicKeyObject = (curve: Curve, raw: Uint8Array): KeyObject | undefined => {
  if (raw.length !== 32) return undefined
  const x = Buffer.from(raw).toString("base64url")
  const id = `${curve}:${x}`
  const cached = publicKeys.get(id)
  if (cached !== undefined) return cached
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: JWK_CURVE[curve], x }, format: "jwk" })
    if (publicKeys.size >= PUBLIC_KEYS_KEPT) publicKeys.delete(publicKeys.keys().next().value!)
    publicKeys.set(id, key)
    return key
  } catch {
    return undefined
  }
}

/** The raw public key of a private (or public) OKP key: its JWK `x`, which a private key's JWK carries too. */
const rawPublic = (key: KeyObject): Uint8Array =>
  new Uint8Array(Buffer.from(key.export({ format: "jwk" }).x ?? "", "base64url"))

/**
 * HKDF-SHA256 (RFC 5869) written out over HMAC: extract, then as many expand blocks as `length` needs. The same
 * bytes as `hkdfSync`, at about a third of its cost for one block (it builds a secret KeyObject from `ikm` first).
 */
const hkdfSha256 = (ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array => {
  if (length > 255 * 32) throw new RangeError(`HKDF-SHA256 gives at most ${255 * 32} bytes, not ${length}`)
  const prk = createHmac("sha256", salt).update(ikm).digest()
  const out = new Uint8Array(length)
  let block: Uint8Array = new Uint8Array(0)
  for (let i = 1, at = 0; at < length; i++, at += 32) {
    block = createHmac("sha256", prk).update(block).update(info, "utf8").update(Uint8Array.of(i)).digest()
    out.set(block.subarray(0, Math.min(32, length - at)), at)
  }
  return out
}

const invalid = (detail: string) => new KeyMaterialInvalid({ detail })

const withPrivate = <A>(
  curve: Curve,
  der: Uint8Array,
  f: (key: KeyObject) => A
): Either.Either<A, KeyMaterialInvalid> => {
  const key = privateKeyObject(curve, der)
  return key === undefined ? Either.left(invalid(`not a PKCS8 ${JWK_CURVE[curve]} private key`)) : Either.right(f(key))
}

/** A key pair of `curve` from 32 bytes of `random`. */
const generateWith = (random: (length: number) => Uint8Array, curve: Curve) => (): KeyPair => {
  const privateKey = concat(PKCS8_PREFIX[curve], random(32))
  return { publicKey: rawPublic(privateKeyObject(curve, privateKey)!), privateKey }
}

const sealInto: CloudCryptoSync["aeadSealInto"] = (key, nonce, plaintext, aad, target, offset) => {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LENGTH })
  cipher.setAAD(aad, { plaintextLength: plaintext.length })
  let at = offset
  const head = cipher.update(plaintext)
  target.set(head, at)
  at += head.length
  const tail = cipher.final()
  target.set(tail, at)
  at += tail.length
  target.set(cipher.getAuthTag(), at)
  return at + TAG_LENGTH - offset
}

const openInto: CloudCryptoSync["aeadOpenInto"] = (key, nonce, sealed, aad, target, offset) => {
  if (sealed.length < TAG_LENGTH || key.length !== 32 || nonce.length !== 12)
    return Either.left(new AeadFailed({ detail: "shorter than its tag, or a bad key or nonce length" }))
  try {
    const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_LENGTH })
    const body = sealed.subarray(0, sealed.length - TAG_LENGTH)
    decipher.setAAD(aad, { plaintextLength: body.length })
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH))
    const head = decipher.update(body)
    target.set(head, offset)
    const tail = decipher.final()
    target.set(tail, offset + head.length)
    return Either.right(head.length + tail.length)
  } catch {
    return Either.left(new AeadFailed({ detail: "authentication tag mismatch" }))
  }
}

/** The plain primitives over a source of random bytes. */
const makeSync = (random: (length: number) => Uint8Array): CloudCryptoSync => ({
  ed25519Sign: (der, message) => withPrivate("ed25519", der, (key) => new Uint8Array(sign(null, message, key))),
  ed25519Verify: (publicKey, message, signature) => {
    const key = publicKeyObject("ed25519", publicKey)
    if (key === undefined || signature.length !== 64) return false
    try {
      return verify(null, message, key, signature)
    } catch {
      return false
    }
  },
  x25519Generate: generateWith(random, "x25519"),
  x25519: (der, peer) => {
    const privateKey = privateKeyObject("x25519", der)
    const publicKey = publicKeyObject("x25519", peer)
    if (privateKey === undefined) return Either.left(invalid("not a PKCS8 X25519 private key"))
    if (publicKey === undefined) return Either.left(invalid("not a 32-byte X25519 public key"))
    try {
      return Either.right(new Uint8Array(diffieHellman({ privateKey, publicKey })))
    } catch (cause) {
      return Either.left(invalid(`X25519 agreement refused: ${String(cause)}`))
    }
  },
  hkdfSha256,
  aeadSeal: (key, nonce, plaintext, aad) => {
    const out = new Uint8Array(plaintext.length + TAG_LENGTH)
    sealInto(key, nonce, plaintext, aad, out, 0)
    return out
  },
  aeadOpen: (key, nonce, sealed, aad) => {
    const out = new Uint8Array(Math.max(0, sealed.length - TAG_LENGTH))
    return Either.map(openInto(key, nonce, sealed, aad, out, 0), () => out)
  },
  aeadSealInto: sealInto,
  aeadOpenInto: openInto,
  sha256Hasher: () => {
    const hasher = createHash("sha256")
    return {
      update: (data) => {
        hasher.update(data)
      },
      digest: () => new Uint8Array(hasher.digest())
    }
  },
  sha256: (data) => new Uint8Array(hash("sha256", data, "buffer"))
})

/** The service over a source of random bytes: the plain primitives, and each as an effect. */
export const make = (random: (length: number) => Uint8Array): typeof CloudCrypto.Service => {
  const sync = makeSync(random)
  return CloudCrypto.of({
    randomBytes: (length) => Effect.sync(() => random(length)),
    ed25519Generate: Effect.sync(generateWith(random, "ed25519")),
    ed25519Public: (der) => Effect.suspend(() => withPrivate("ed25519", der, rawPublic)),
    ed25519Sign: (der, message) => Effect.suspend(() => sync.ed25519Sign(der, message)),
    ed25519Verify: (publicKey, message, signature) =>
      Effect.sync(() => sync.ed25519Verify(publicKey, message, signature)),
    x25519Generate: Effect.sync(sync.x25519Generate),
    x25519Public: (der) => Effect.suspend(() => withPrivate("x25519", der, rawPublic)),
    x25519: (der, peer) => Effect.suspend(() => sync.x25519(der, peer)),
    hkdfSha256: (ikm, salt, info, length) => Effect.sync(() => hkdfSha256(ikm, salt, info, length)),
    aeadSeal: (key, nonce, plaintext, aad) => Effect.sync(() => sync.aeadSeal(key, nonce, plaintext, aad)),
    aeadOpen: (key, nonce, sealed, aad) => Effect.suspend(() => sync.aeadOpen(key, nonce, sealed, aad)),
    sha256: (data) => Effect.sync(() => sync.sha256(data)),
    sync
  })
}

/** The real thing: random bytes from the operating system. */
export const layer: Layer.Layer<CloudCrypto> = Layer.sync(CloudCrypto, () =>
  make((length) => new Uint8Array(nodeRandomBytes(length)))
)

/**
 * For tests: every random byte (and so every generated key) is derived from `seed`, so vectors are stable.
 * Block i of the stream is SHA-256("sb1-test-rng" ‖ seed ‖ u32be(i)); each layer build starts a fresh stream.
 */
export const layerSeeded = (seed: string): Layer.Layer<CloudCrypto> =>
  Layer.sync(CloudCrypto, () => {
    let block = 0
    let pool: Uint8Array = new Uint8Array(0)
    const next = (): Uint8Array => {
      const counter = Buffer.alloc(4)
      counter.writeUInt32BE(block++)
      return new Uint8Array(createHash("sha256").update("sb1-test-rng").update(seed).update(counter).digest())
    }
    return make((length) => {
      while (pool.length < length) pool = concat(pool, next())
      const out = pool.slice(0, length)
      pool = pool.slice(length)
      return out
    })
  })
