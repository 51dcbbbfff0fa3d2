import { Effect, Option, Schema, TestClock } from "effect"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { OutboxEntry } from "../../src/cloud/CloudState.js"
import { queueMessage } from "../../src/cloud/Outbox.js"
import { generateEncryptionKey } from "../../src/protocol/Keys.js"
import { Store } from "../../src/services/store/Store.js"
import { DAY } from "../protocol/support.js"
import { cloudLayer, type Fixture, freshStore, makeFakeRelay, msgId, setupBob, T0 } from "./support.js"

/** Bob's home with alice as an accepted contact whose keys the fake relay serves, at T0. */
export const withBob = <A, E>(body: (f: Fixture) => Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    const relay = makeFakeRelay()
    return yield* Effect.flatMap(setupBob(relay), (f) =>
      Effect.flatMap(
        Effect.sync(() => relay.publishKeys(f.alice.accountId, f.alice.identity.publicKey, f.alice.ek.record)),
        () => body(f)
      )
    ).pipe(Effect.provide(cloudLayer(yield* freshStore, relay)))
  })

/** Queues message `n` from bob's "backend" session to a contact's "api" label. */
export const queueToAlice = (n: number, contact = "alice") =>
  queueMessage({
    id: msgId(n),
    contact: contact as never,
    to: { label: "api" },
    fromSession: { label: "backend", cli: "codex" },
    subject: `subject ${n}`,
    body: "body"
  })

/** Message `n`'s entry under cloud/sent/, decoded. */
export const sentEntry = (n: number) =>
  Effect.map(
    Effect.flatMap(Store, (s) => s.readText(CloudLayout.sent(msgId(n)))),
    (t) => Schema.decodeUnknownSync(Schema.parseJson(OutboxEntry))(Option.getOrThrow(t))
  )

/**
 * The relay starts serving, as alice's, an encryption-key record `keyId`/`seq` signed by `identity` (alice's own
 * for a rotation, another's for a forgery), valid from a day before T0 for 30 days; returns the record.
 */
export const publishAliceKey = (f: Fixture, identity: Fixture["alice"]["identity"], keyId: string, seq: number) =>
  Effect.map(generateEncryptionKey(identity, { keyId, notBefore: T0 - DAY, notAfter: T0 + 30 * DAY, seq }), (key) => {
    f.relay.publishKeys(f.alice.accountId, f.alice.identity.publicKey, key.record)
    return key.record
  })
