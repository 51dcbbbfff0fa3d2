import { hookSpecificOutput } from "./HookReply.js"
import { Layout } from "./Layout.js"

/**
 * The hook's stamp: what a full prompt run (or session start) saw when it left nothing waiting, so that the next
 * prompt can tell, in plain Node and before the hook bundle loads, that still nothing waits
 * (src/platform/HookFastPath.ts reads it; src/hook/Stamp.ts writes it; docs/adr/0036-hook-fast-path.md).
 * Plain values and functions only: the launcher bundles this file, and it must not pull in Effect.
 */

export const STAMP_VERSION = 1
/** A stamp is a few hundred bytes; anything larger is not one of ours. */
export const MAX_STAMP_BYTES = 8 * 1024
/** The session record read beside it (Store's MAX_RECORD_BYTES bounds real ones; a live record is far smaller). */
export const MAX_STAMPED_RECORD_BYTES = 64 * 1024
/** The lastSeen refresh is treated as due this much early: the fast path never lets a refresh slip. */
export const REFRESH_MARGIN_MS = 5_000

/** Marking needs this much of the budget left; with less, nothing is marked and everything keeps waiting. */
export const MARK_RESERVE_MS = 100

/** The hook's default budget (SESSION_BRIDGE_HOOK_BUDGET_MS), from its start to its reply. */
export const DEFAULT_HOOK_BUDGET_MS = 1500

/** SESSION_BRIDGE_HOOK_BUDGET_MS as the hook reads it: a positive whole number of ms, else the default. */
export const hookBudgetMs = (raw: string | undefined): number => {
  const n = raw === undefined ? Number.NaN : Number(raw.trim())
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_HOOK_BUDGET_MS
}

/** One watched directory (home-relative) and its mtime when the stamp was taken; null: it did not exist. */
export interface StampedDir {
  readonly path: string
  readonly mtimeMs: number | null
}

export interface HookStamp {
  readonly v: typeof STAMP_VERSION
  /** The hook bundle the stamp was written by (HookBoot's bundle id: its size and mtime). */
  readonly bundle: string
  /** Who the run was for, exactly as the hook resolved it: the host, its session id and the cwd it used. */
  readonly provider: string
  readonly hostSessionId: string
  readonly cwd: string
  /** The bridge session that resolved to, the pointer that names it, and its record's cwd at the time. */
  readonly sessionId: string
  readonly pointer: string
  readonly recordCwd: string
  /** The lastSeen refresh interval the full path applies (LAST_SEEN_REFRESH_MS). */
  readonly refreshMs: number
  /** Wall-clock ms when the directories were looked at, before they were read. */
  readonly takenAt: number
  readonly dirs: ReadonlyArray<StampedDir>
}

/** Every directory `Surfacing.unsurfaced` reads for a session: its inbox, the broadcasts, its read and surfaced markers. */
export const watchedDirs = (sessionId: string): ReadonlyArray<string> => [
  Layout.inboxDir(sessionId),
  Layout.broadcastsDir,
  Layout.readDir(sessionId),
  Layout.surfacedDir(sessionId)
]

/** 64-bit FNV-1a, hex: names a stamp file after any host session id without loading node:crypto. */
const fnv1a64 = (text: string): string => {
  let h = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return h.toString(16).padStart(16, "0")
}

/** The stamp's home-relative path for a host and its session id (a collision only makes the check fail). */
export const stampPath = (provider: string, hostSessionId: string): string =>
  `${Layout.cacheDir}/hook-stamps/${provider}-${fnv1a64(`${provider}\u0000${hostSessionId}`)}.json`

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/
const POINTER = /^pointers\/[A-Za-z0-9][A-Za-z0-9._-]{0,254}\.json$/

const isMtime = (u: unknown): u is number | null => u === null || (typeof u === "number" && Number.isFinite(u) && u > 0)
const isText = (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 4096

/**
 * The stamp in `text`, or undefined for anything that is not exactly one: wrong version, a missing or mistyped
 * field, a session id that is not a ULID, a pointer outside pointers/, or directories other than the session's.
 */
export const parseStamp = (text: string): HookStamp | undefined => {
  let u: unknown
  try {
    u = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof u !== "object" || u === null || Array.isArray(u)) return undefined
  const s = u as Record<string, unknown>
  if (s["v"] !== STAMP_VERSION) return undefined
  const { bundle, provider, hostSessionId, cwd, sessionId, pointer, recordCwd, refreshMs, takenAt, dirs } = s
  if (!isText(bundle) || !isText(provider) || !isText(hostSessionId) || !isText(cwd) || !isText(recordCwd))
    return undefined
  if (typeof sessionId !== "string" || !ULID.test(sessionId)) return undefined
  if (typeof pointer !== "string" || !POINTER.test(pointer) || pointer.includes("..")) return undefined
  if (typeof refreshMs !== "number" || !(refreshMs > 0) || typeof takenAt !== "number" || !(takenAt > 0))
    return undefined
  const expected = watchedDirs(sessionId)
  if (!Array.isArray(dirs) || dirs.length !== expected.length) return undefined
  const checked: Array<StampedDir> = []
  for (let i = 0; i < expected.length; i++) {
    const d: unknown = dirs[i]
    if (typeof d !== "object" || d === null) return undefined
    const { path, mtimeMs } = d as Record<string, unknown>
    if (path !== expected[i] || !isMtime(mtimeMs)) return undefined
    checked.push({ path: expected[i]!, mtimeMs })
  }
  return {
    v: STAMP_VERSION,
    bundle,
    provider,
    hostSessionId,
    cwd,
    sessionId,
    pointer,
    recordCwd,
    refreshMs,
    takenAt,
    dirs: checked
  }
}

export const encodeStamp = (stamp: HookStamp): string => JSON.stringify(stamp)

/**
 * The hosts whose prompt the fast path answers: Claude-style payloads (`session_id`, `cwd`), the prompt event's
 * name, the empty reply the full hook gives for it and the reply that carries an inbox block
 * (test/hook/fastPath.test.ts checks these against the adapters in src/hook/hosts/). Any other host goes the full path.
 */
export interface FastPathHost {
  readonly prompt: string
  readonly empty: string
  readonly context: (text: string) => string
}

export const FAST_PATH_HOSTS: Readonly<Record<string, FastPathHost>> = {
  "claude-code": {
    prompt: "UserPromptSubmit",
    empty: "",
    context: (text) => hookSpecificOutput("UserPromptSubmit", text)
  },
  codex: { prompt: "UserPromptSubmit", empty: "{}", context: (text) => hookSpecificOutput("UserPromptSubmit", text) },
  "gemini-cli": { prompt: "BeforeAgent", empty: "{}", context: (text) => hookSpecificOutput("BeforeAgent", text) }
}
