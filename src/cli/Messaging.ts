import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import { Broadcasts } from "../bridge/Broadcasts.js"
import { inboxWatchDirs } from "../bridge/ChangeAreas.js"
import { BROADCAST_TTL_DEFAULT_SEC } from "../bridge/Limits.js"
import { type Recipient, Mailbox } from "../bridge/Mailbox.js"
import { Search } from "../bridge/Search.js"
import { ambiguityNote, describeSession } from "../bridge/LabelCollisions.js"
import { envelopeView, hitView, partyView, reachedView } from "../bridge/Views.js"
import type { MessageEnvelope, SessionRecord } from "../domain/Records.js"
import { formatIso } from "../domain/UtcTime.js"
import { Store } from "../services/store/Store.js"
import { actingSession, asOption, parseRecipient } from "./CliSession.js"
import { artifactOption, bodyOptions, postArtifacts, readBody } from "./Compose.js"
import { listed } from "./Help.js"
import { messageTable, showMessage } from "./MessageView.js"
import {
  inline,
  jsonOption,
  plural,
  printJson,
  printJsonLine,
  printErrorText,
  printText,
  relativeTime
} from "./Output.js"
import { exitZeroOnInterrupt } from "./Runtime.js"

const to = Args.text({ name: "to" }).pipe(
  Args.withDescription("Recipient: a label, an absolute cwd, a session id or prefix, or #channel")
)
const subject = Args.text({ name: "subject" }).pipe(Args.withDescription("A one-line subject"))
const replyTo = Options.text("reply-to").pipe(
  Options.withDescription("Reply to this message id (same thread)"),
  Options.optional
)

/** Sends a message as `from` and prints the result; shared with `channel post`. */
export const sendAndReport = (
  from: SessionRecord,
  recipient: Recipient,
  input: {
    readonly subject: string
    readonly body: string
    readonly artifacts: ReadonlyArray<string>
    readonly replyTo: Option.Option<string>
  },
  json: boolean
) =>
  Effect.gen(function* () {
    const mailbox = yield* Mailbox
    const metas = yield* postArtifacts(input.artifacts, from)
    const result = yield* mailbox.send({
      from,
      to: recipient,
      subject: input.subject,
      body: input.body,
      artifacts: metas.map((m) => m.sha256),
      replyTo: Option.getOrUndefined(input.replyTo)
    })
    const e = result.envelope
    if (json) {
      return yield* printJson({
        messageId: e.id,
        threadId: e.threadId,
        recipients: result.recipients.map(partyView),
        ...(result.reached !== undefined ? { reached: reachedView(result.reached) } : {}),
        ...(result.ambiguous !== undefined ? { ambiguous: { ...result.ambiguous, chosen: "newest" } } : {}),
        artifacts: [...e.artifacts]
      })
    }
    const names = result.recipients.map((p) => inline(p.label)).join(", ")
    const where =
      e.channel !== undefined
        ? `#${e.channel} (${plural(result.recipients.length, "member")}${names ? `: ${names}` : ""})`
        : result.reached !== undefined
          ? describeSession(result.reached)
          : names
    const extra = e.artifacts.length > 0 ? ` with ${plural(e.artifacts.length, "artifact")}` : ""
    yield* printText(
      `Sent ${e.id} to ${where}${extra} as ${from.label}.${e.threadId !== e.id ? ` Thread ${e.threadId}.` : ""}`
    )
    if (result.ambiguous !== undefined && result.reached !== undefined)
      yield* printText(`Note: ${ambiguityNote(result.ambiguous, result.reached)}`)
  })

const sendMessage = Command.make(
  "send-message",
  { as: asOption, to, subject, ...bodyOptions, artifact: artifactOption, replyTo, json: jsonOption },
  (o) =>
    Effect.gen(function* () {
      const body = yield* readBody(o)
      const from = yield* actingSession(o.as)
      const recipient = yield* parseRecipient(o.to)
      yield* sendAndReport(
        from,
        recipient,
        { subject: o.subject, body, artifacts: o.artifact, replyTo: o.replyTo },
        o.json
      )
    })
)

const ttl = Options.integer("ttl").pipe(
  Options.withDescription(`Seconds until the broadcast expires (1 to 604800; default ${BROADCAST_TTL_DEFAULT_SEC})`),
  Options.optional
)

const broadcast = Command.make("broadcast", { as: asOption, subject, ...bodyOptions, ttl, json: jsonOption }, (o) =>
  Effect.gen(function* () {
    const body = yield* readBody(o)
    const from = yield* actingSession(o.as)
    const e = yield* Effect.flatMap(Broadcasts, (b) =>
      b.post({ from, subject: o.subject, body, ttlSec: Option.getOrUndefined(o.ttl) })
    )
    const expiresAt = e.expiresAt ?? e.createdAt
    if (o.json) return yield* printJson({ messageId: e.id, expiresAt: formatIso(expiresAt) })
    const inMs = DateTime.toEpochMillis(expiresAt) - DateTime.toEpochMillis(e.createdAt)
    yield* printText(`Broadcast ${e.id} as ${from.label}; expires ${relativeTime(0, -inMs)} (${formatIso(expiresAt)}).`)
  })
)

const follow = Options.boolean("follow").pipe(
  Options.withAlias("f"),
  Options.withDescription("Keep printing new messages as they arrive, until Ctrl-C")
)
const includeRead = Options.boolean("all").pipe(
  Options.withDescription("Start with read messages too, not only unread ones")
)
const limit = (fallback: number) =>
  Options.integer("limit").pipe(Options.withDescription("How many to show (1-1000)"), Options.withDefault(fallback))

const tailInbox = Command.make(
  "tail-inbox",
  { as: asOption, follow, all: includeRead, limit: limit(20), json: jsonOption },
  ({ as, follow, all, limit, json }) =>
    Effect.gen(function* () {
      const me = yield* actingSession(as)
      const mailbox = yield* Mailbox
      const store = yield* Store
      const print = (e: MessageEnvelope, read: boolean) =>
        json ? printJsonLine({ ...envelopeView(e), read }) : Effect.flatMap(showMessage(e, read), printText)

      // Subscribe before listing, so nothing that lands in between is missed.
      const signal = yield* Queue.sliding<void>(1)
      if (follow) {
        yield* Effect.forEach(
          inboxWatchDirs(me.sessionId),
          (dir) =>
            store
              .subscribe(dir, () => void Queue.unsafeOffer(signal, undefined))
              .pipe(Effect.catchAll((e) => Effect.logWarning(`inbox watch failed: ${e.message}`))),
          { discard: true }
        )
      }
      const first = yield* mailbox.inbox(me.sessionId, { all, limit })
      const seen = new Set<string>()
      for (const entry of [...first.entries].reverse()) {
        seen.add(entry.envelope.id)
        yield* print(entry.envelope, entry.read)
      }
      if (!follow) {
        if (first.entries.length === 0 && !json) yield* printText(`No ${all ? "" : "unread "}messages for ${me.label}.`)
        return
      }
      for (const entry of (yield* mailbox.inbox(me.sessionId, { all: true, limit: 1000 })).entries)
        seen.add(entry.envelope.id)
      if (!json) yield* printErrorText(`Watching the inbox of ${me.label} (${me.sessionId}); Ctrl-C to stop.`)
      yield* exitZeroOnInterrupt
      while (true) {
        yield* Queue.take(signal)
        const now = yield* mailbox.inbox(me.sessionId, { all: true, limit: 1000 })
        for (const entry of [...now.entries].reverse()) {
          if (seen.has(entry.envelope.id)) continue
          seen.add(entry.envelope.id)
          yield* print(entry.envelope, entry.read)
        }
      }
    }).pipe(Effect.scoped)
)

const query = Args.text({ name: "query" }).pipe(
  Args.withDescription("Words that must all occur in the subject or body (case-insensitive)")
)

const search = Command.make(
  "search",
  { query, as: asOption, limit: limit(20), json: jsonOption },
  ({ query, as, limit, json }) =>
    Effect.gen(function* () {
      const me = yield* actingSession(as)
      const hits = yield* Effect.flatMap(Search, (s) => s.search(me.sessionId, query, limit))
      if (json) return yield* printJson(hits.map(hitView))
      if (hits.length === 0)
        return yield* printText(`No messages visible to ${me.label} match ${JSON.stringify(query)}.`)
      yield* printText(yield* messageTable(hits.map((e) => ({ envelope: e, note: e.body }))))
    })
)

/** send-message, broadcast, tail-inbox, search. */
export const messagingCommands = [
  listed("messaging", "Send a message to a session (label, cwd, id or prefix) or a #channel", sendMessage),
  listed("messaging", "Post an announcement every session sees until it expires", broadcast),
  listed("messaging", "Print your inbox; --follow keeps printing new messages until Ctrl-C", tailInbox),
  listed("messaging", "Search the messages a session can see", search)
] as const
