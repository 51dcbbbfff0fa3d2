import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidArgument, RemoteContactRevoked, RemoteNotAContact, RemoteNotConfigured } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { requireLabel } from "../domain/Names.js"
import { MessageEnvelope, type Party, type SessionRecord } from "../domain/Records.js"
import { CROCKFORD, encodeTime, type SessionId } from "../domain/Ulid.js"
import { Artifacts } from "./Artifacts.js"
import { checkBody, checkSubject } from "./Checks.js"
import { Envelopes } from "./Envelopes.js"
import { Mailbox } from "./Mailbox.js"
import { outgoingEnvelope } from "./OutgoingEnvelope.js"
import { type Delivery, RemoteSends } from "./RemoteSends.js"

/*
 * A send to a contact's session (CONTRACT.md "Addressing a contact"): every check runs before anything is written
 * (subject, body, artifacts, the contact's standing, the guardrails); then the sender's own copy is stored under
 * remote-sent/ (so it reads and threads like any message it sent) and, in the same batch of files, the same id is
 * queued in cloud/outbox/ for the daemon to carry. A reply to a remote message goes back to its sender.
 */

/** At most 8 artifacts per remote message (CLOUD.md 2.5). */
export const MAX_REMOTE_ARTIFACTS = 8

export interface RemoteAddress {
  readonly contact: string
  readonly label?: string | undefined
  /** The remote message replied to, when the address came from it. */
  readonly parent?: MessageEnvelope | undefined
}

export interface RemoteSendInput {
  readonly from: SessionRecord
  readonly to: RemoteAddress
  readonly subject: string
  readonly body?: string | undefined
  readonly artifacts?: ReadonlyArray<string> | undefined
  readonly replyTo?: string | undefined
}

export interface RemoteSendResult {
  readonly envelope: MessageEnvelope
  readonly recipients: ReadonlyArray<Party>
  readonly delivery: Delivery
}

const invalid = (message: string, hint: string) => new InvalidArgument({ message, hint })

/**
 * Where a send goes when it goes to a contact: `to.contact` names one, or `replyTo` is a message that came from a
 * contact (its reply goes back there, to the session that sent it unless `to.label` names another). None: a local
 * send.
 */
export const remoteAddress = (
  from: SessionRecord,
  to: { readonly contact?: string | undefined; readonly label?: string | undefined; readonly others: number },
  replyTo: string | undefined
) =>
  Effect.gen(function* () {
    // A label given for a contact's session passes the same rules as a local one (INVALID_NAME).
    if (to.label !== undefined && (to.contact !== undefined || replyTo !== undefined)) yield* requireLabel(to.label)
    const parent =
      replyTo === undefined
        ? Option.none<MessageEnvelope>()
        : Option.some((yield* (yield* Mailbox).read(from.sessionId, replyTo)).envelope)
    const remoteParent = Option.filter(parent, (p) => p.origin === "remote" && p.from.contact !== undefined)
    if (Option.isSome(remoteParent)) {
      const sender = remoteParent.value.from.contact!
      if (to.contact !== undefined && to.contact !== sender)
        return yield* invalid(
          `replyTo is a message from contact ${sender}, but to.contact is ${to.contact}`,
          "A reply to a remote message goes back to its sender: omit to.contact or name the same contact."
        )
      if (to.others > 0)
        return yield* invalid(
          `replyTo is a message from contact ${sender}; a reply goes back to that contact, not to a local session`,
          'Pass to: {} (or {"contact": "..."}, optionally with "label") with a remote replyTo.'
        )
      return Option.some<RemoteAddress>({
        contact: sender,
        label: to.label ?? remoteParent.value.from.label,
        parent: remoteParent.value
      })
    }
    if (to.contact === undefined) return Option.none<RemoteAddress>()
    if (to.others > 0)
      return yield* invalid(
        "to.contact goes with to.label only",
        'e.g. {"to": {"contact": "alice", "label": "api"}}; without label the contact\'s most recently active session'
      )
    return Option.some<RemoteAddress>({
      contact: to.contact,
      label: to.label,
      parent: Option.getOrUndefined(Option.filter(parent, (p) => p.to[0]?.contact === to.contact))
    })
  })

/** A stand-in session id for a contact's session in the sender's copy (never a local session's id). */
export const remoteStandIn = (contact: string, label: string): SessionId => {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (const ch of `${contact}\u0000${label}`) {
    const c = ch.codePointAt(0)!
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0
  }
  let tail = ""
  for (let i = 0; i < 16; i++) tail += CROCKFORD[((i < 8 ? h1 : h2) >>> ((i % 8) * 4)) & 31]
  return (encodeTime(0) + tail) as SessionId
}

const standingError = (
  contact: string,
  standing: string
): RemoteNotConfigured | RemoteContactRevoked | RemoteNotAContact | undefined => {
  switch (standing) {
    case "active":
      return undefined
    case "not_configured":
      return new RemoteNotConfigured({ message: "this machine has no cloud account, so it cannot message contacts" })
    case "revoked":
      return new RemoteContactRevoked({ message: `the contact ${contact} was revoked; nothing was sent` })
    case "pending":
      return new RemoteNotAContact({
        message: `${contact} has not been accepted as a contact yet; nothing was sent`
      })
    default:
      return new RemoteNotAContact({ message: `no contact ${JSON.stringify(contact.slice(0, 40))}; nothing was sent` })
  }
}

export const sendRemote = (input: RemoteSendInput) =>
  Effect.gen(function* () {
    const remote = yield* RemoteSends
    const artifacts = yield* Artifacts
    const subject = yield* checkSubject(input.subject)
    const body = yield* checkBody(input.body ?? "")
    const shas = [...new Set(input.artifacts ?? [])]
    if (shas.length > MAX_REMOTE_ARTIFACTS)
      return yield* invalid(
        `${shas.length} artifacts; a message to a contact carries at most ${MAX_REMOTE_ARTIFACTS}`,
        "Bundle them (e.g. one archive) or send several messages."
      )
    const metas = yield* Effect.forEach(shas, (sha) => artifacts.meta(sha))
    const contact = input.to.contact
    const refused = standingError(contact, yield* remote.standing(contact))
    if (refused !== undefined) return yield* refused
    const parent = input.to.parent
    yield* remote.admit(input.from.sessionId, Option.fromNullable(parent?.origin === "remote" ? parent.id : undefined))
    const label = input.to.label ?? contact
    const recipient: Party = { sessionId: remoteStandIn(contact, label), label, contact }
    const now = yield* DateTime.now
    // The outbox entry is created with the sender's copy, last: the daemon, watching the outbox, takes it as soon
    // as it is linked, while the flushes of all of them are still waited for; the call returns once all are on disk.
    // Nothing is queued without the copy, and when any of them fails none of them stays.
    const envelope = yield* (yield* Envelopes).publish({
      threadId: parent?.threadId,
      canonical: (id) => Layout.remoteSent(input.from.sessionId, id),
      build: (id, threadId) =>
        outgoingEnvelope(
          {
            from: input.from,
            to: [recipient],
            subject,
            body,
            parent,
            artifacts: metas.map((m) => m.sha256),
            createdAt: now
          },
          id,
          threadId
        ),
      alongside: (built) =>
        Effect.map(
          remote.outboxFile({
            id: built.id,
            contact,
            label: input.to.label,
            fromSession: { label: input.from.label, cli: input.from.provider },
            subject,
            body,
            // The contact knows a message by the id its sender gave it: the wire id of one it received, our own id
            // of one we sent it.
            ...(parent !== undefined ? { replyTo: parent.remoteId ?? parent.id } : {}),
            artifacts: metas.map((m) => ({ sha256: m.sha256, size: m.size, name: m.name, mimeType: m.mimeType }))
          }),
          (file) => [file]
        )
    })
    return {
      envelope,
      recipients: [recipient],
      delivery: { state: "queued", at: yield* Clock.currentTimeMillis }
    } satisfies RemoteSendResult
  })
