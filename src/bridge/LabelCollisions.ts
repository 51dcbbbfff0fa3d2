import * as Effect from "effect/Effect"
import type { LockTimeout, StoreError } from "../domain/Errors.js"
import { nfc } from "../domain/Nfc.js"
import type { SessionRecord } from "../domain/Records.js"
import { visible } from "../domain/Visible.js"
import type { AddressMatch } from "./Addressing.js"
import type { SessionsShape } from "./Sessions.js"

/** How many characters of a session id are shown as its short id: a prefix that addresses it in practice. */
export const SHORT_ID_CHARS = 12

export const shortId = (sessionId: string): string => sessionId.slice(0, SHORT_ID_CHARS)

/** `planner (claude-code, /work/shop, 01JA2B3C4D5E)`: which window a session is, in one line of visible text. */
export const describeSession = (r: SessionRecord): string =>
  `${visible(r.label)} (${r.provider}, ${visible(r.cwd)}, ${shortId(r.sessionId)})`

/** Says that a label or cwd matched several sessions and which one the message went to. */
export const ambiguityNote = (match: AddressMatch, reached: SessionRecord): string =>
  `${match.by} ${JSON.stringify(visible(match.value))} matched ${match.matches} ${match.online ? "live" : "offline"} ` +
  `sessions; the newest was chosen: ${describeSession(reached)}. ` +
  "To reach another one, address it by session id (see the session list)."

/** The other live sessions that carry `record`'s label (the same label, NFC), newest first. */
export const labelTwins = (
  sessions: SessionsShape,
  record: SessionRecord
): Effect.Effect<ReadonlyArray<SessionRecord>, StoreError | LockTimeout> =>
  Effect.map(sessions.list(), (live) =>
    live.map((s) => s.record).filter((r) => r.sessionId !== record.sessionId && nfc(r.label) === nfc(record.label))
  )

const MAX_NAMED = 3

/** One line warning that `record`'s label is shared by `twins`, naming them, with how to fix it. */
export const collisionWarning = (record: SessionRecord, twins: ReadonlyArray<SessionRecord>): string => {
  const named = twins
    .slice(0, MAX_NAMED)
    .map((r) => `${r.provider} in ${visible(r.cwd)} (${shortId(r.sessionId)})`)
    .join(", ")
  const more = twins.length > MAX_NAMED ? ` and ${twins.length - MAX_NAMED} more` : ""
  const label = JSON.stringify(visible(record.label))
  return (
    `session-bridge: your label ${label} is also used by ${twins.length === 1 ? "another live session" : `${twins.length} other live sessions`}: ` +
    `${named}${more}. Messages to ${label} reach only the session seen last. Give each window its own label: ` +
    "start it with SESSION_BRIDGE_LABEL=<name>, or run `session-bridge init --label <name>` once per host."
  )
}
