import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type Internal, InvalidArgument, MessageNotFound, type StoreError, ThreadNotFound } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { type ArtifactMeta, MessageEnvelope } from "../domain/Records.js"
import type { SessionId } from "../domain/Ulid.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"
import { Artifacts } from "./Artifacts.js"
import { Broadcasts } from "./Broadcasts.js"
import { Channels } from "./Channels.js"
import { checkLimit } from "./Checks.js"
import { Envelopes } from "./Envelopes.js"
import { DEFAULT_MAX_BACKLOG, INBOX_DEFAULT_LIMIT, MAX_MARK_READ_IDS, positiveIntFromEnv } from "./Limits.js"
import { Sessions } from "./Sessions.js"
import { makeSend, type SendFailure } from "./Send.js"
import type { SendInput, SendResult } from "./SendInput.js"
import { makeWaitForMessage } from "./NextMessage.js"
import { Surfacing } from "./Surfacing.js"
import { makeVisibility, type VisibleEntry } from "./Visibility.js"

export type { Recipient, SendInput, SendResult } from "./SendInput.js"

export interface InboxList {
  /** Newest first. */
  readonly entries: ReadonlyArray<VisibleEntry>
  /** Unread inbox entries and live broadcasts. */
  readonly unread: number
}

export interface MessageDetail {
  readonly envelope: MessageEnvelope
  readonly read: boolean
  readonly artifacts: ReadonlyArray<ArtifactMeta>
}

/** Direct and channel messages in per-session inboxes; read and surfaced state; threads; waiting. */
export interface MailboxShape {
  /** BODY_TOO_LARGE, RECIPIENT_NOT_FOUND, AMBIGUOUS_RECIPIENT, NOT_A_MEMBER, BACKLOG_FULL (nothing delivered), ... */
  readonly send: (input: SendInput) => Effect.Effect<SendResult, SendFailure>
  /** Stores a prepared envelope (e.g. a remote one) in a recipient's inbox; false when that id is already there. */
  readonly deliver: (recipient: SessionId, envelope: MessageEnvelope) => Effect.Effect<boolean, StoreError | Internal>
  readonly inbox: (
    sessionId: SessionId,
    options?: { readonly all?: boolean | undefined; readonly limit?: number | undefined }
  ) => Effect.Effect<InboxList, InvalidArgument | StoreError>
  /** MESSAGE_NOT_FOUND unless the session may see the message. */
  readonly read: (sessionId: SessionId, id: string) => Effect.Effect<MessageDetail, MessageNotFound | StoreError>
  /**
   * Idempotent: counts only newly marked ids, and the distinct ids that are neither in the inbox nor live
   * broadcasts. At most MAX_MARK_READ_IDS ids (INVALID_ARGUMENT above); repeats count once.
   */
  readonly markRead: (
    sessionId: SessionId,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<{ readonly marked: number; readonly unknown: number }, InvalidArgument | StoreError>
  /** Oldest first; THREAD_NOT_FOUND / MESSAGE_NOT_FOUND when nothing visible. */
  readonly thread: (
    sessionId: SessionId,
    by: { readonly threadId?: string | undefined; readonly messageId?: string | undefined }
  ) => Effect.Effect<ReadonlyArray<MessageEnvelope>, InvalidArgument | MessageNotFound | ThreadNotFound | StoreError>
  /**
   * The oldest unread entry not yet shown to the session, waiting up to timeoutSec (0-300, default 30) for one
   * to arrive; none on timeout. Woken by the store's watch of the inbox and broadcasts. The entry is never
   * returned twice by this process, and its surfaced marker is written in the background (so the reply does
   * not wait for a disk sync): a prompt hook running in that instant may show it once more.
   */
  readonly waitForMessage: (
    sessionId: SessionId,
    timeoutSec?: number | undefined
  ) => Effect.Effect<Option.Option<MessageEnvelope>, InvalidArgument | StoreError>
  /** The per-inbox unread cap (SESSION_BRIDGE_MAX_BACKLOG, default 1000). */
  readonly maxBacklog: number
}

export class Mailbox extends Context.Tag("session-bridge/Mailbox")<Mailbox, MailboxShape>() {}

const isMessageId = (id: string) => /^[0-9A-Z]{26}$/.test(id)

export const make = Effect.gen(function* () {
  const store = yield* Store
  const env = yield* HostEnv
  const sessions = yield* Sessions
  const envelopes = yield* Envelopes
  const broadcasts = yield* Broadcasts
  const channels = yield* Channels
  const artifacts = yield* Artifacts
  const view = makeVisibility(envelopes, broadcasts, channels)
  const maxBacklog = positiveIntFromEnv(env, "SESSION_BRIDGE_MAX_BACKLOG", DEFAULT_MAX_BACKLOG)

  const notFound = (id: string) =>
    new MessageNotFound({ message: `no message ${JSON.stringify(id.slice(0, 40))} visible to you` })

  const requireVisible = (sessionId: SessionId, id: string) =>
    Effect.flatMap(
      view.find(sessionId, id.trim().toUpperCase()),
      Option.match({ onNone: () => Effect.fail(notFound(id)), onSome: Effect.succeed })
    )

  const send = makeSend({ sessions, envelopes, channels, artifacts, view, maxBacklog, requireVisible })

  const surfacing = yield* Surfacing
  const waitForMessage = makeWaitForMessage({ store, envelopes, broadcasts, surfacing })

  return Mailbox.of({
    send,
    deliver: (recipient, envelope) => envelopes.deliver(Layout.inboxMessage(recipient, envelope.id), envelope),
    inbox: (sessionId, options) =>
      Effect.gen(function* () {
        const limit = yield* checkLimit(options?.limit, INBOX_DEFAULT_LIMIT)
        return yield* view.inboxPage(sessionId, options?.all === true, limit)
      }),
    read: (sessionId, id) =>
      Effect.gen(function* () {
        const envelope = yield* requireVisible(sessionId, id)
        const read = Option.isSome(yield* store.stat(Layout.readMarker(sessionId, envelope.id)))
        const metas = yield* Effect.forEach(envelope.artifacts, (sha) => Effect.option(artifacts.meta(sha)))
        return { envelope, read, artifacts: metas.flatMap(Option.toArray) }
      }),
    markRead: (sessionId, ids) =>
      Effect.gen(function* () {
        if (ids.length > MAX_MARK_READ_IDS)
          return yield* new InvalidArgument({
            message: `ids has ${ids.length} entries; at most ${MAX_MARK_READ_IDS} per call`,
            hint: "Mark them in batches."
          })
        const known: Array<string> = []
        let unknown = 0
        for (const id of new Set(ids.map((raw) => raw.trim().toUpperCase()))) {
          const inInbox = isMessageId(id) && Option.isSome(yield* store.stat(Layout.inboxMessage(sessionId, id)))
          if (inInbox || (isMessageId(id) && Option.isSome(yield* broadcasts.get(id)))) known.push(id)
          else unknown++
        }
        return { marked: (yield* surfacing.createRead(sessionId, known)).length, unknown }
      }),
    thread: (sessionId, by) =>
      Effect.gen(function* () {
        if ((by.threadId === undefined) === (by.messageId === undefined)) {
          return yield* new InvalidArgument({
            message: "pass exactly one of threadId or messageId",
            remedy: "threadIds"
          })
        }
        const threadId =
          by.threadId !== undefined
            ? by.threadId.trim().toUpperCase()
            : (yield* requireVisible(sessionId, by.messageId ?? "")).threadId
        const messages = yield* view.thread(sessionId, threadId)
        if (messages.length === 0)
          return yield* new ThreadNotFound({
            message: `no thread ${JSON.stringify(threadId.slice(0, 40))} visible to you`
          })
        return messages
      }),
    waitForMessage,
    maxBacklog
  })
})

export const layer: Layer.Layer<
  Mailbox,
  never,
  Store | HostEnv | Sessions | Envelopes | Broadcasts | Channels | Artifacts | Surfacing
> = Layer.effect(Mailbox, make)
