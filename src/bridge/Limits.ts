import * as Option from "effect/Option"
import type { HostEnvShape } from "../services/HostEnv.js"

/** Direct, channel and broadcast bodies: 64 KiB of UTF-8. */
export const MAX_BODY_BYTES = 64 * 1024
/** Subjects: 1-500 characters. */
export const MAX_SUBJECT_CHARS = 500
/** Session summaries shown in list_sessions. */
export const MAX_SUMMARY_CHARS = 1000
/** Default artifact cap (SESSION_BRIDGE_MAX_ARTIFACT_BYTES). */
export const DEFAULT_MAX_ARTIFACT_BYTES = 10 * 1024 * 1024
/** Default unread backlog per inbox (SESSION_BRIDGE_MAX_BACKLOG). */
export const DEFAULT_MAX_BACKLOG = 1000
/** A session is online when its lastSeen is within this window. */
export const LIVE_WINDOW_MS = 10 * 60 * 1000
/** A registration that would change nothing but a lastSeen younger than this writes nothing (hook: every prompt). */
export const LAST_SEEN_REFRESH_MS = 60 * 1000
export const BROADCAST_TTL_MIN_SEC = 1
export { BROADCAST_TTL_MAX_SEC } from "../domain/BroadcastAge.js"
export const BROADCAST_TTL_DEFAULT_SEC = 3600
export const WAIT_MAX_SEC = 300
export const WAIT_DEFAULT_SEC = 30
export const INBOX_DEFAULT_LIMIT = 50
export const HISTORY_DEFAULT_LIMIT = 50
export const SEARCH_DEFAULT_LIMIT = 20
export const MAX_LIST_LIMIT = 1000
/** Ids one bridge_mark_read may name. */
export const MAX_MARK_READ_IDS = 1000

/** A positive integer from the environment, else the fallback. */
export const positiveIntFromEnv = (env: HostEnvShape, name: string, fallback: number): number =>
  Option.match(env.get(name), {
    onNone: () => fallback,
    onSome: (raw) => {
      const n = Number(raw.trim())
      return Number.isSafeInteger(n) && n > 0 ? n : fallback
    }
  })
