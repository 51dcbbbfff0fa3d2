import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Envelopes } from "../bridge/Envelopes.js"
import { Sessions, type SessionStatus } from "../bridge/Sessions.js"
import { Layout } from "../domain/Layout.js"
import { MessageEnvelope, type Party, ProviderId } from "../domain/Records.js"
import { encodeTime, type MessageId, type SessionId } from "../domain/Ulid.js"
import { concat, utf8 } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { encodeRandom80 } from "../protocol/LocalId.js"
import type { Inner } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { CloudLayout } from "./CloudLayout.js"
import { type PinnedContact, type Target, UnroutedMessage } from "./CloudState.js"

/*
 * Where a remote message lands and how it is written (CLOUD.md 2.7): the inner `to` is resolved among this
 * machine's live sessions (read-only use of the session registry); the message is written with create-exclusive
 * under its deterministic local id, so a second write of the same message finds it there.
 */

/** A remote message lives 7 days after it was sent; what is still unrouted then is dropped. */
export const REMOTE_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** The live session `to` names: its label, its id, or (any) the most recently active one. */
export const matchSession = (live: ReadonlyArray<SessionStatus>, to: Inner["to"]): Option.Option<SessionId> => {
  const found =
    "label" in to
      ? live.find((s) => s.record.label === to.label)
      : "session" in to
        ? live.find((s) => s.record.sessionId === to.session)
        : live[0]
  return Option.map(Option.fromNullable(found), (s) => s.record.sessionId)
}

/** The target for a new message: a live session's inbox, else the holding area. */
export const route = (to: Inner["to"]) =>
  Effect.map(
    Effect.flatMap(Sessions, (s) => s.list()),
    (live) =>
      Option.match(matchSession(live, to), {
        onNone: (): Target => ({ kind: "unrouted" }),
        onSome: (sessionId): Target => ({ kind: "session", sessionId })
      })
  )

/** A stable stand-in session id for a contact's session (the envelope's `from` needs one): never a local id. */
export const remoteSessionId = (senderFpr: Uint8Array, label: string) =>
  Effect.map(
    Effect.flatMap(CloudCrypto, (c) => c.sha256(concat(utf8("sb1-remote-session"), senderFpr, utf8(label)))),
    (digest) => (encodeTime(0) + encodeRandom80(digest)) as SessionId
  )

/** The local inbox envelope of an opened remote message. */
export const remoteEnvelope = (input: {
  readonly localId: MessageId
  readonly senderFpr: Uint8Array
  readonly contact: PinnedContact
  readonly inner: Inner
  readonly to: ReadonlyArray<Party>
}) =>
  Effect.gen(function* () {
    const label = input.inner.fromSession?.label ?? input.contact.handle
    const cli = input.inner.fromSession?.cli
    return MessageEnvelope.make({
      v: 1,
      id: input.localId,
      kind: "direct",
      from: {
        sessionId: yield* remoteSessionId(input.senderFpr, label),
        label,
        ...(cli !== undefined && isProvider(cli) ? { provider: cli } : {}),
        contact: input.contact.handle
      },
      to: input.to,
      subject: input.inner.subject ?? "",
      body: input.inner.body ?? "",
      threadId: input.localId,
      artifacts: (input.inner.artifacts ?? []).map((a) => a.sha256 as MessageEnvelope["artifacts"][number]),
      createdAt: DateTime.unsafeMake(input.inner.ts),
      expiresAt: DateTime.unsafeMake(input.inner.ts + REMOTE_TTL_MS),
      origin: "remote",
      remoteFrom: input.contact.handle
    })
  })

const isProvider = Schema.is(ProviderId)

const partyOf = (sessionId: SessionId) =>
  Effect.map(
    Effect.flatMap(Sessions, (s) => s.get(sessionId)),
    (record) =>
      Option.match(record, {
        onNone: (): ReadonlyArray<Party> => [],
        onSome: (r): ReadonlyArray<Party> => [{ sessionId: r.sessionId, label: r.label, provider: r.provider }]
      })
  )

/**
 * Writes the message to its pinned target: the session's inbox (through Envelopes.deliver, which also writes the
 * id's ref) or `cloud/unrouted/`. False when it was already there (a re-run after a crash).
 */
export const writeToTarget = (target: Target, envelope: MessageEnvelope, contact: PinnedContact, to: Inner["to"]) =>
  Effect.gen(function* () {
    if (target.kind === "session") {
      const addressed = { ...envelope, to: yield* partyOf(target.sessionId) }
      return yield* (yield* Envelopes).deliver(Layout.inboxMessage(target.sessionId, envelope.id), addressed)
    }
    const held = UnroutedMessage.make({
      v: 1,
      to,
      contact: contact.handle,
      accountId: contact.accountId,
      expiresAt: DateTime.toEpochMillis(envelope.expiresAt ?? envelope.createdAt),
      envelope
    })
    const text = JSON.stringify(Schema.encodeSync(UnroutedMessage)(held), null, 2) + "\n"
    return yield* (yield* Store).createExclusive(CloudLayout.unrouted(envelope.id), text)
  })
