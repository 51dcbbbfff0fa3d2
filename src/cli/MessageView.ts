import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { MessageEnvelope } from "../domain/Records.js"
import { formatTable, inline, multiline, relativeTime, truncate } from "./Output.js"

const nowMs = Effect.map(DateTime.now, DateTime.toEpochMillis)

const where = (e: MessageEnvelope) =>
  e.kind === "broadcast" ? "broadcast" : e.kind === "channel" ? `#${e.channel ?? "?"}` : "direct"

const sender = (e: MessageEnvelope) =>
  inline(`${e.from.label}${e.origin === "remote" ? ` (remote${e.remoteFrom ? `: ${e.remoteFrom}` : ""})` : ""}`)

/**
 * One message in full, as tail-inbox and channel history print it. Sender and subject are one line each and the
 * body keeps its lines and tabs; every other control or invisible character is shown as an escape.
 */
export const showMessage = (e: MessageEnvelope, read?: boolean) =>
  Effect.map(nowMs, (now) => {
    const when = relativeTime(DateTime.toEpochMillis(e.createdAt), now)
    const flags = [
      where(e),
      read === false ? "unread" : undefined,
      e.inReplyTo !== undefined ? `reply to ${e.inReplyTo}` : undefined
    ]
      .filter((x) => x !== undefined)
      .join(", ")
    const lines = [`── ${e.id}  from ${sender(e)}  ${when}  (${flags})`, `   ${inline(e.subject)}`]
    if (e.body !== "")
      lines.push(
        ...multiline(e.body)
          .split("\n")
          .map((l) => `   │ ${l}`)
      )
    for (const sha of e.artifacts) lines.push(`   + artifact ${sha}`)
    if (e.threadId !== e.id) lines.push(`   thread ${e.threadId}`)
    return lines.join("\n")
  })

/** A compact list: id, when, where, from, subject. */
export const messageTable = (messages: ReadonlyArray<{ readonly envelope: MessageEnvelope; readonly note?: string }>) =>
  Effect.map(nowMs, (now) =>
    formatTable(
      ["ID", "WHEN", "WHERE", "FROM", "SUBJECT"],
      messages.map(({ envelope: e, note }) => [
        e.id,
        relativeTime(DateTime.toEpochMillis(e.createdAt), now),
        where(e),
        sender(e),
        truncate(e.subject, 60) + (note !== undefined && note !== "" ? `  — ${truncate(note, 60)}` : "")
      ])
    )
  )
