import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type {
  ArtifactNotFound,
  BodyTooLarge,
  Internal,
  InvalidArgument,
  LockTimeout,
  MessageNotFound,
  NotAMember,
  StoreError
} from "../domain/Errors.js"
import { BacklogFull } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import type { ChannelName } from "../domain/Names.js"
import type { MessageEnvelope, Party } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import type { AddressFailure, Resolved } from "./Addressing.js"
import type { ArtifactsShape } from "./Artifacts.js"
import type { ChannelsShape } from "./Channels.js"
import { checkBody, checkSubject } from "./Checks.js"
import type { EnvelopesShape } from "./Envelopes.js"
import { outgoingEnvelope, party } from "./OutgoingEnvelope.js"
import type { SendInput, SendResult } from "./SendInput.js"
import type { SessionsShape } from "./Sessions.js"
import type { Visibility } from "./Visibility.js"

/** What a send may fail with; nothing is delivered when it does. */
export type SendFailure =
  | AddressFailure
  | BodyTooLarge
  | BacklogFull
  | NotAMember
  | ArtifactNotFound
  | MessageNotFound
  | InvalidArgument
  | StoreError
  | LockTimeout
  | Internal

/**
 * Sending: every check (subject, body size, artifacts, replyTo, recipients, each recipient's backlog) runs
 * before anything is written, so a refused send leaves no trace; then all copies are written at once.
 */
export const makeSend = (deps: {
  readonly sessions: SessionsShape
  readonly envelopes: EnvelopesShape
  readonly channels: ChannelsShape
  readonly artifacts: ArtifactsShape
  readonly view: Visibility
  readonly maxBacklog: number
  readonly requireVisible: (
    sessionId: SessionId,
    id: string
  ) => Effect.Effect<MessageEnvelope, MessageNotFound | StoreError>
}): ((input: SendInput) => Effect.Effect<SendResult, SendFailure>) => {
  const { sessions, envelopes, channels, artifacts, view, maxBacklog, requireVisible } = deps
  const checkBacklog = (recipients: ReadonlyArray<Party>) =>
    Effect.forEach(recipients, (p) =>
      Effect.flatMap(
        view.backlogReaching(p.sessionId, maxBacklog),
        Option.match({
          onNone: () => Effect.void,
          onSome: (n) =>
            Effect.fail(new BacklogFull({ label: p.label, sessionId: p.sessionId, unread: n, limit: maxBacklog }))
        })
      )
    )

  const send = (input: SendInput) =>
    Effect.gen(function* () {
      const subject = yield* checkSubject(input.subject)
      const body = yield* checkBody(input.body ?? "")
      const shas = [...new Set(input.artifacts ?? [])]
      const metas = yield* Effect.forEach(shas, (sha) => artifacts.meta(sha))
      const parent =
        input.replyTo === undefined ? undefined : yield* requireVisible(input.from.sessionId, input.replyTo)
      const to = input.to
      let channel: ChannelName | undefined
      let recipients: ReadonlyArray<Party>
      let resolved: Resolved | undefined
      if ("channel" in to) {
        const name = yield* channels.requireMember(input.from.sessionId, to.channel)
        const others = (yield* channels.members(name)).filter((id) => id !== input.from.sessionId)
        recipients = (yield* Effect.forEach(others, (id) => sessions.get(id))).flatMap(Option.toArray).map(party)
        channel = name
      } else {
        resolved = yield* sessions.resolveMatch(to)
        recipients = [party(resolved.record)]
      }
      yield* checkBacklog(recipients)
      const first = recipients[0]
      const now = yield* DateTime.now
      const envelope = yield* envelopes.publish({
        threadId: parent?.threadId,
        canonical: (id) =>
          channel !== undefined ? Layout.channelMessage(channel, id) : Layout.inboxMessage(first?.sessionId ?? "", id),
        copies: (id) => recipients.map((p) => Layout.inboxMessage(p.sessionId, id)),
        build: (id, threadId) =>
          outgoingEnvelope(
            {
              from: input.from,
              to: recipients,
              channel,
              subject,
              body,
              parent,
              artifacts: metas.map((m) => m.sha256),
              createdAt: now
            },
            id,
            threadId
          )
      })
      return { envelope, recipients, reached: resolved?.record, ambiguous: resolved?.ambiguous }
    })
  return send
}
