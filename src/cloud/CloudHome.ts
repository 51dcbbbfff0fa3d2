import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { StoreError } from "../domain/Errors.js"
import { bytesEqual } from "../protocol/Bytes.js"
import { CloudCrypto, type KeyPair } from "../protocol/CloudCrypto.js"
import { Store } from "../services/store/Store.js"
import { CloudStateCorrupt, KeyFileExposed } from "./CloudErrors.js"
import { CloudLayout, SECRET_FILES } from "./CloudLayout.js"
import {
  ContactsFile,
  Credentials,
  DaemonPid,
  type PinnedContact,
  SeenRecord,
  StoredEncryptionKey
} from "./CloudState.js"

type Failure = StoreError | CloudStateCorrupt

/**
 * The cloud client's local state under `<home>/cloud/` (0700 dirs, 0600 files, atomic writes), all through the
 * Store, so a memory store serves the tests (docs/cloud-client.md lists every file).
 */
/*
 * One decoder per schema for the life of the process: `Schema.parseJson(schema)` is a new schema on every call, so
 * a decoder built per read compiled its parser again each time (the daemon reads its credentials, keys and
 * contacts on every pass).
 */
const jsonDecoders = new WeakMap<object, (input: unknown) => Either.Either<unknown, ParseResult.ParseError>>()

/** `Schema.decodeUnknownEither(Schema.parseJson(schema))`, built once per schema. */
export const jsonDecoder = <A, I>(schema: Schema.Schema<A, I>) => {
  let decoder = jsonDecoders.get(schema)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownEither(Schema.parseJson(schema))
    jsonDecoders.set(schema, decoder)
  }
  return decoder as (input: unknown) => Either.Either<A, ParseResult.ParseError>
}

/** A JSON document of the cloud state under the home: none when absent, CLOUD_STATE_CORRUPT when it does not decode. */
export const readCloudDoc = <A, I>(store: Store["Type"], path: string, schema: Schema.Schema<A, I>) =>
  Effect.flatMap(store.readText(path), (text) => {
    if (Option.isNone(text)) return Effect.succeedNone
    const decoded = jsonDecoder(schema)(text.value)
    return Either.isRight(decoded)
      ? Effect.succeed(Option.some(decoded.right))
      : Effect.fail(new CloudStateCorrupt({ detail: `${path} does not decode: ${decoded.left.message.slice(0, 300)}` }))
  })

export interface CloudHomeShape {
  readonly credentials: Effect.Effect<Option.Option<Credentials>, Failure>
  readonly writeCredentials: (credentials: Credentials) => Effect.Effect<void, StoreError>
  /** Forgets the token (logout); keys and contacts stay. True when there were credentials. */
  readonly removeCredentials: Effect.Effect<boolean, StoreError>
  /** The identity key pair from identity.key (PKCS8). */
  readonly identity: Effect.Effect<Option.Option<KeyPair>, Failure>
  readonly writeIdentity: (privateKey: Uint8Array) => Effect.Effect<void, StoreError>
  readonly encryptionKeys: Effect.Effect<ReadonlyArray<StoredEncryptionKey>, Failure>
  readonly writeEncryptionKey: (key: StoredEncryptionKey) => Effect.Effect<void, StoreError>
  readonly contacts: Effect.Effect<ReadonlyArray<PinnedContact>, Failure>
  readonly writeContacts: (contacts: ReadonlyArray<PinnedContact>) => Effect.Effect<void, StoreError>
  /** The highest relay seq fully processed (0 before the first batch). */
  readonly cursor: Effect.Effect<number, Failure>
  readonly writeCursor: (seq: number) => Effect.Effect<void, StoreError>
  readonly seen: (senderFprHex: string, envelopeId: string) => Effect.Effect<Option.Option<SeenRecord>, Failure>
  readonly writeSeen: (senderFprHex: string, envelopeId: string, record: SeenRecord) => Effect.Effect<void, StoreError>
  /** The running daemon's pid file, if any (whether that pid is alive is the caller's question). */
  readonly daemonPid: Effect.Effect<Option.Option<typeof DaemonPid.Type>, StoreError>
  /** Fails KeyFileExposed when a key or credentials file is readable by the group or others. */
  readonly checkKeyModes: Effect.Effect<void, KeyFileExposed | StoreError>
}

export class CloudHome extends Context.Tag("session-bridge/CloudHome")<CloudHome, CloudHomeShape>() {}

const encode = <A, I>(schema: Schema.Schema<A, I>, value: A): string =>
  JSON.stringify(Schema.encodeSync(schema)(value), null, 2) + "\n"

export const make = Effect.gen(function* () {
  const store = yield* Store
  const crypto = yield* CloudCrypto

  const readDoc = <A, I>(path: string, schema: Schema.Schema<A, I>) => readCloudDoc(store, path, schema)

  // The public half is derived again only when identity.key holds other bytes than at the last read.
  let derived: KeyPair | undefined
  const identity = Effect.gen(function* () {
    const bytes = yield* store.read(CloudLayout.identityKey)
    if (Option.isNone(bytes)) return Option.none<KeyPair>()
    if (derived !== undefined && bytesEqual(derived.privateKey, bytes.value)) return Option.some(derived)
    const publicKey = yield* crypto
      .ed25519Public(bytes.value)
      .pipe(
        Effect.mapError(
          () => new CloudStateCorrupt({ detail: `${CloudLayout.identityKey} is not a PKCS8 Ed25519 key` })
        )
      )
    derived = { publicKey, privateKey: bytes.value }
    return Option.some(derived)
  })

  const encryptionKeys = Effect.gen(function* () {
    const names = (yield* store.list(CloudLayout.keysDir)).filter((n) => n.endsWith(".json"))
    const keys = yield* Effect.forEach(names, (n) => readDoc(`${CloudLayout.keysDir}/${n}`, StoredEncryptionKey))
    return keys.flatMap(Option.toArray).sort((a, b) => b.record.seq - a.record.seq)
  })

  const cursor = Effect.flatMap(store.readText(CloudLayout.cursor), (text) => {
    if (Option.isNone(text)) return Effect.succeed(0)
    const n = Number(text.value.trim())
    return Number.isSafeInteger(n) && n >= 0
      ? Effect.succeed(n)
      : Effect.fail(new CloudStateCorrupt({ detail: `${CloudLayout.cursor} is not a whole number` }))
  })

  const checkKeyModes = Effect.gen(function* () {
    const keyFiles = (yield* store.list(CloudLayout.keysDir)).map((n) => `${CloudLayout.keysDir}/${n}`)
    for (const path of [...SECRET_FILES, ...keyFiles]) {
      const stat = yield* store.stat(path)
      if (Option.isSome(stat) && (stat.value.mode & 0o077) !== 0)
        return yield* new KeyFileExposed({
          detail: `${path} has mode ${(stat.value.mode & 0o777).toString(8)}: readable beyond its owner`
        })
    }
  })

  return CloudHome.of({
    credentials: readDoc(CloudLayout.credentials, Credentials),
    writeCredentials: (c) => store.write(CloudLayout.credentials, encode(Credentials, c)),
    removeCredentials: store.remove(CloudLayout.credentials),
    identity,
    writeIdentity: (privateKey) => store.write(CloudLayout.identityKey, privateKey),
    encryptionKeys,
    writeEncryptionKey: (key) => store.write(CloudLayout.encryptionKey(key.keyId), encode(StoredEncryptionKey, key)),
    contacts: Effect.map(readDoc(CloudLayout.contacts, ContactsFile), (f) =>
      Option.match(f, { onNone: () => [], onSome: (file) => file.contacts })
    ),
    writeContacts: (contacts) => store.write(CloudLayout.contacts, encode(ContactsFile, { v: 1 as const, contacts })),
    cursor,
    writeCursor: (seq) => store.write(CloudLayout.cursor, `${seq}\n`),
    seen: (fpr, id) => readDoc(CloudLayout.seen(fpr, id), SeenRecord),
    writeSeen: (fpr, id, record) => store.write(CloudLayout.seen(fpr, id), encode(SeenRecord, record)),
    daemonPid: Effect.flatMap(store.readText(CloudLayout.daemonPid), (t) =>
      Option.match(t, {
        onNone: () => Effect.succeedNone,
        onSome: (text) => Effect.succeed(Either.getRight(jsonDecoder(DaemonPid)(text)))
      })
    ),
    checkKeyModes
  })
})

export const layer: Layer.Layer<CloudHome, never, Store | CloudCrypto> = Layer.effect(CloudHome, make)
