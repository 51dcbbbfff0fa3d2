import * as Schema from "effect/Schema"
import { ULID_PATTERN } from "./IdPatterns.js"

export { CROCKFORD, decodeTime, encodeTime } from "./UlidTime.js"
const ULID_RE = ULID_PATTERN

/** A session id: a 26-character Crockford ULID. */
export const SessionId = Schema.String.pipe(
  Schema.filter((s) => ULID_RE.test(s) || "a session id is a 26-character ULID (Crockford base32)"),
  Schema.brand("session-bridge/SessionId")
)
export type SessionId = typeof SessionId.Type

/** A message id: also a ULID. */
export const MessageId = Schema.String.pipe(
  Schema.filter((s) => ULID_RE.test(s) || "a message id is a 26-character ULID (Crockford base32)"),
  Schema.brand("session-bridge/MessageId")
)
export type MessageId = typeof MessageId.Type

export const isUlid = (s: string): boolean => ULID_RE.test(s)

/** A 6–25 character prefix of a session id, matched case-insensitively (uppercased before matching). */
export const SessionIdPrefix = Schema.String.pipe(
  Schema.filter((s) => /^[0-9A-Za-z]{6,25}$/.test(s) || "a session id prefix is 6-25 base32 characters"),
  Schema.transform(Schema.String, { strict: true, decode: (s) => s.toUpperCase(), encode: (s) => s })
)
