import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { InvalidArgument } from "../../domain/Errors.js"
import { MAX_MARK_READ_IDS } from "../../bridge/Limits.js"
import { withDelivery } from "../../bridge/Deliveries.js"
import { Mailbox, type Recipient } from "../../bridge/Mailbox.js"
import { remoteAddress, sendRemote } from "../../bridge/RemoteSend.js"
import { ambiguityNote } from "../../bridge/LabelCollisions.js"
import {
  AmbiguityView,
  DeliveryView,
  EntryView,
  EnvelopeView,
  MessageDetailView,
  optional,
  PartyView,
  ReachedView
} from "../../bridge/Views.js"
import { readOnly, tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

const To = Schema.Struct({
  label: Schema.optional(Schema.String),
  cwd: Schema.optional(Schema.String),
  sessionId: Schema.optional(Schema.String),
  channel: Schema.optional(Schema.String),
  contact: Schema.optional(Schema.String)
}).annotations({
  description:
    "Exactly one of: label, cwd (absolute path), sessionId (or a unique 6+ char prefix), channel (#name, joined); or contact (a handle) with an optional label of its session"
})

const toRecipient = (to: typeof To.Type) => {
  const given: Array<Recipient> = []
  // A local send: `contact` was handled before (remoteAddress), so here it is absent.
  if (to.label !== undefined) given.push({ label: to.label })
  if (to.cwd !== undefined) given.push({ cwd: to.cwd })
  if (to.sessionId !== undefined) given.push({ sessionId: to.sessionId })
  if (to.channel !== undefined) given.push({ channel: to.channel })
  const only = given[0]
  return given.length === 1 && only !== undefined
    ? Effect.succeed(only)
    : Effect.fail(
        new InvalidArgument({
          message: `to must name exactly one of label, cwd, sessionId, channel (got ${given.length})`,
          hint: 'e.g. {"to": {"label": "reviewer"}}'
        })
      )
}

export const sendMessage = tool({
  name: "bridge_send_message",
  title: "Send message",
  description:
    "Message another session (or every member of a #channel you joined). Stored even if the recipient is offline. The result names the session reached (label, provider, cwd, shortId) and, when a label or cwd matched several sessions, says so (ambiguous, note: the newest was chosen). Body max 64 KiB; larger content: bridge_post_artifact, then pass its sha256 in artifacts. replyTo: a message id to continue its thread (a reply to a contact's message goes back to that contact). to.contact: queued for a contact's machine; bridge_read_message shows its delivery.",
  input: Schema.Struct({
    to: To,
    subject: Schema.String,
    body: Schema.optional(Schema.String),
    artifacts: Schema.optional(Schema.Array(Schema.String)),
    replyTo: Schema.optional(Schema.String)
  }),
  output: Schema.Struct({
    messageId: Schema.String,
    threadId: Schema.String,
    recipients: Schema.Array(PartyView),
    reached: optional(ReachedView),
    ambiguous: optional(AmbiguityView),
    note: optional(Schema.String),
    /** A message to a contact: queued for the daemon to carry. */
    delivery: optional(DeliveryView)
  }),
  // Each call sends one more message; a message to a contact leaves this machine (through the daemon).
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: (args) =>
    Effect.gen(function* () {
      const from = yield* caller
      const { contact, label, ...others } = args.to
      const remote = yield* remoteAddress(
        from,
        { contact, label, others: Object.values(others).filter((v) => v !== undefined).length },
        args.replyTo
      )
      if (Option.isSome(remote)) {
        const sent = yield* sendRemote({
          from,
          to: remote.value,
          subject: args.subject,
          body: args.body,
          artifacts: args.artifacts
        })
        return {
          messageId: sent.envelope.id,
          threadId: sent.envelope.threadId,
          recipients: sent.recipients,
          delivery: sent.delivery
        }
      }
      const to = yield* toRecipient(args.to)
      const sent = yield* (yield* Mailbox).send({
        from,
        to,
        subject: args.subject,
        body: args.body,
        artifacts: args.artifacts,
        replyTo: args.replyTo
      })
      return {
        messageId: sent.envelope.id,
        threadId: sent.envelope.threadId,
        recipients: sent.recipients,
        reached: sent.reached,
        ambiguous: sent.ambiguous !== undefined ? { ...sent.ambiguous, chosen: "newest" as const } : undefined,
        note:
          sent.ambiguous !== undefined && sent.reached !== undefined
            ? ambiguityNote(sent.ambiguous, sent.reached)
            : undefined
      }
    })
})

export const listInbox = tool({
  name: "bridge_list_inbox",
  title: "List inbox",
  description:
    "Your inbox, newest first: unread direct/channel messages and live broadcasts (all: include read). Returns headers and the unread count.",
  input: Schema.Struct({ all: Schema.optional(Schema.Boolean), limit: Schema.optional(Schema.Int) }),
  output: Schema.Struct({ unread: Schema.Number, entries: Schema.Array(EntryView) }),
  hints: readOnly,
  handler: ({ all, limit }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const inbox = yield* (yield* Mailbox).inbox(me.sessionId, { all, limit })
      return { unread: inbox.unread, entries: inbox.entries.map((e) => ({ ...e.envelope, read: e.read })) }
    })
})

export const readMessage = tool({
  name: "bridge_read_message",
  title: "Read message",
  description: "One message in full (body, recipients, artifact details). Does not mark it read.",
  input: Schema.Struct({ id: Schema.String }),
  output: MessageDetailView,
  hints: readOnly,
  handler: ({ id }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const detail = yield* (yield* Mailbox).read(me.sessionId, id)
      const envelope = yield* withDelivery(me.sessionId, detail.envelope)
      return { ...envelope, artifacts: detail.artifacts, read: detail.read }
    })
})

export const markRead = tool({
  name: "bridge_mark_read",
  title: "Mark read",
  description: `Mark inbox or broadcast ids read (at most ${MAX_MARK_READ_IDS}). Idempotent; returns how many were newly marked.`,
  input: Schema.Struct({ ids: Schema.Array(Schema.String).pipe(Schema.maxItems(MAX_MARK_READ_IDS)) }),
  output: Schema.Struct({ marked: Schema.Number, unknown: optional(Schema.Number) }),
  // Marking read adds a marker; marking again changes nothing.
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: ({ ids }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const result = yield* (yield* Mailbox).markRead(me.sessionId, ids)
      return { marked: result.marked, unknown: result.unknown > 0 ? result.unknown : undefined }
    })
})

export const getThread = tool({
  name: "bridge_get_thread",
  title: "Get thread",
  description: "A conversation, oldest first, by threadId or by any messageId in it.",
  input: Schema.Struct({ threadId: Schema.optional(Schema.String), messageId: Schema.optional(Schema.String) }),
  output: Schema.Struct({ threadId: Schema.String, messages: Schema.Array(EnvelopeView) }),
  hints: readOnly,
  handler: ({ threadId, messageId }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const found = yield* (yield* Mailbox).thread(me.sessionId, { threadId, messageId })
      const messages = yield* Effect.forEach(found, (m) => withDelivery(me.sessionId, m))
      return { threadId: messages[0]?.threadId ?? threadId ?? "", messages }
    })
})

export const waitForMessage = tool({
  name: "bridge_wait_for_message",
  title: "Wait for message",
  description:
    "Block until a message you have not been shown arrives (or return one already waiting). timeoutSec 0-300, default 30. Use sparingly.",
  input: Schema.Struct({ timeoutSec: Schema.optional(Schema.Number) }),
  output: Schema.Struct({ timedOut: Schema.Boolean, message: optional(EnvelopeView) }),
  // The message it returns counts as shown, so a second call waits for another.
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: ({ timeoutSec }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const found = yield* (yield* Mailbox).waitForMessage(me.sessionId, timeoutSec)
      return Option.match(found, {
        onNone: () => ({ timedOut: true }),
        onSome: (message) => ({ timedOut: false, message })
      })
    })
})
