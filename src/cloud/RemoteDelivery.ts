import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Envelopes } from "../bridge/Envelopes.js"
import { Sessions, type SessionStatus } from "../bridge/Sessions.js"
import { Layout } from "../domain/Layout.js"
import { MessageEnvelope, type Party, ProviderId } from "../domain/Records.js"
import { encodeTime, MessageId, type SessionId } from "../domain/Ulid.js"
import { concat, utf8 } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { encodeRandom80 } from "../protocol/LocalId.js"
import type { Inner } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { CloudHome } from "./CloudHome.js"
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
  /** The id the sender gave it (the envelope id): receipts and replies refer to it. */
  readonly remoteId: MessageId
  readonly senderFpr: Uint8Array
  readonly contact: PinnedContact
  readonly inner: Inner
  readonly to: ReadonlyArray<Party>
  /** The local message it replies to (see `parentOf`): it joins that thread. */
  readonly parent?: MessageEnvelope | undefined
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
      threadId: input.parent?.threadId ?? input.localId,
      ...(input.parent !== undefined ? { inReplyTo: input.parent.id } : {}),
      artifacts: (input.inner.artifacts ?? []).map((a) => a.sha256 as MessageEnvelope["artifacts"][number]),
      createdAt: DateTime.unsafeMake(input.inner.ts),
      expiresAt: DateTime.unsafeMake(input.inner.ts + REMOTE_TTL_MS),
      origin: "remote",
      remoteFrom: input.contact.handle,
      remoteId: input.remoteId
    })
  })

const isProvider = Schema.is(ProviderId)
const isMessageId = Schema.is(MessageId)

/**
 * The local message a remote one replies to, so that it joins its thread: `replyTo` is the id the contact knows it
 * by, either our own id of a message we sent that contact, or the contact's id of a message it sent us (found
 * through the seen-ledger). Only a message exchanged with that same contact qualifies: a contact cannot attach its
 * message to anyone else's thread.
 */
export const parentOf = (contact: PinnedContact, senderFprHex: string, inner: Inner) =>
  Effect.gen(function* () {
    const replyTo = inner.replyTo
    if (replyTo === undefined || !isMessageId(replyTo)) return Option.none<MessageEnvelope>()
    const envelopes = yield* Envelopes
    const seen = yield* (yield* CloudHome).seen(senderFprHex, replyTo)
    const candidates = [replyTo, ...Option.toArray(Option.map(seen, (r) => r.localId))]
    for (const id of candidates) {
      const ref = yield* envelopes.ref(id)
      if (Option.isNone(ref)) continue
      const found = yield* envelopes.read(ref.value.path)
      if (Option.isNone(found)) continue
      const e = found.value
      const withContact =
        e.origin === "remote" ? e.from.contact === contact.handle : e.to[0]?.contact === contact.handle
      if (withContact && e.kind === "direct") return Option.some(e)
    }
    return Option.none<MessageEnvelope>()
  })

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
