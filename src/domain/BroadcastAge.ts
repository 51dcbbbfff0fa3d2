import { ULID_PATTERN } from "./IdPatterns.js"
import { decodeTime } from "./UlidTime.js"

// Plain values, no Effect: the full hook (Broadcasts.ts) and the launcher's fast path (HookInbox.ts) both skip
// broadcasts too old to be live by their names.

/** The longest a broadcast may live (ttlSec at most this). */
export const BROADCAST_TTL_MAX_SEC = 7 * 24 * 3600

/** Room for a broadcast's createdAt and expiry to be a little after the time in its id. */
const SLACK_MS = 24 * 3600 * 1000

/**
 * Whether a broadcast file (`<id>.json`) may still be live at `nowMs`, by its name alone. Its id is made when it is
 * posted and it lives at most BROADCAST_TTL_MAX_SEC, so one whose id is older than that (and a day) has expired
 * and need not be read. A name that is not an id is not judged here (true): reading it decides.
 */
export const mayBeLiveBroadcast = (name: string, nowMs: number): boolean => {
  const id = name.endsWith(".json") ? name.slice(0, -5) : name
  return !ULID_PATTERN.test(id) || decodeTime(id) + BROADCAST_TTL_MAX_SEC * 1000 + SLACK_MS > nowMs
}
