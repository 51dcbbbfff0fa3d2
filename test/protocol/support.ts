import { Effect, Option, TestClock } from "effect"
import type { MessageId } from "../../src/domain/Ulid.js"
import type { KeyPair } from "../../src/protocol/CloudCrypto.js"
import type { Contact, Receiver, Sender } from "../../src/protocol/Envelope.js"
import { type EncryptionKey, generateEncryptionKey, generateIdentity } from "../../src/protocol/Keys.js"
import type { AccountId, EncryptionKeyRecord, Handle, InnerDraft } from "../../src/protocol/WireSchemas.js"

/** 2025-11-26T22:10:00.123Z: every protocol test runs at this TestClock time. */
export const T0 = 1_764_195_000_123
export const DAY = 24 * 60 * 60 * 1000

/** One account with an identity and a current encryption key. */
export interface Account {
  readonly handle: Handle
  readonly accountId: AccountId
  readonly identity: KeyPair
  readonly ek: EncryptionKey
  readonly sender: Sender
  readonly contact: Contact & { readonly ek: EncryptionKeyRecord }
  readonly receiver: Receiver
}

export const account = (handle: string, n: number) =>
  Effect.gen(function* () {
    const identity = yield* generateIdentity
    const ek = yield* generateEncryptionKey(identity, {
      keyId: `ek_${n}`,
      notBefore: T0 - DAY,
      notAfter: T0 + 30 * DAY,
      seq: 1
    })
    const accountId = `acct_${handle}` as AccountId
    return {
      handle: handle as Handle,
      accountId,
      identity,
      ek,
      sender: { accountId, identity },
      contact: { accountId, handle: handle as Handle, ikPub: identity.publicKey, ek: ek.record },
      receiver: {
        accountId,
        ikPub: identity.publicKey,
        keys: (rk) => (rk === ek.record.keyId ? Option.some(ek) : Option.none())
      }
    } satisfies Account
  })

/** The clock at T0 and three accounts. */
export const world = Effect.gen(function* () {
  yield* TestClock.setTime(T0)
  return { alice: yield* account("alice", 1), bob: yield* account("bob", 2), carol: yield* account("carol", 3) }
})

export const ID = "01JF0000000000000000000001" as MessageId

export const draft = (overrides: Partial<InnerDraft> = {}): InnerDraft => ({
  kind: "message",
  ts: T0,
  fromHandle: "alice" as Handle,
  fromSession: { label: "api", cli: "codex" },
  to: { label: "backend" },
  subject: "build is green",
  body: "ping",
  ...overrides
})
