import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { LAST_SEEN_REFRESH_MS } from "../bridge/Limits.js"
import { pointerKeys } from "../bridge/Sessions.js"
import {
  encodeStamp,
  FAST_PATH_HOSTS,
  type StampedDir,
  stampPath,
  STAMP_VERSION,
  watchedDirs
} from "../domain/HookStamp.js"
import { Layout } from "../domain/Layout.js"
import type { SessionRecord } from "../domain/Records.js"
import { formatIso } from "../domain/UtcTime.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"

/**
 * Writing the stamp the launcher's fast path reads (src/domain/HookStamp.ts, docs/adr/0036-hook-fast-path.md).
 * `look` is taken after the session is resolved and before its directories are read; `write` only when that read
 * found nothing waiting. A stamp that cannot be taken or written only costs the next prompt its fast path.
 */

/** What a run must know to stamp: the bundle it runs from, and who it ran for. */
export interface StampInput {
  readonly bundle: string
  readonly provider: string
  readonly hostSessionId: string | undefined
  readonly cwd: string
}

export interface Look {
  readonly takenAt: number
  readonly dirs: ReadonlyArray<StampedDir>
}

/** The watched directories' mtimes, and the time they were looked at; none when this run cannot be stamped. */
export const look = (input: StampInput | undefined, record: SessionRecord) =>
  Effect.gen(function* () {
    if (input?.hostSessionId === undefined || !Object.hasOwn(FAST_PATH_HOSTS, input.provider))
      return Option.none<Look>()
    // A session named by the environment resolves without the pointer the fast path checks.
    if (Option.isSome((yield* HostEnv).get("SESSION_BRIDGE_SESSION_ID"))) return Option.none<Look>()
    const store = yield* Store
    const takenAt = yield* Clock.currentTimeMillis
    const dirs = yield* Effect.forEach(watchedDirs(record.sessionId), (path) =>
      Effect.map(store.stat(path), (st) => ({ path, st }))
    )
    // Anything but a directory (or nothing) is not stamped: the fast path would refuse it anyway.
    if (dirs.some((d) => Option.isSome(d.st) && !d.st.value.isDirectory)) return Option.none<Look>()
    return Option.some<Look>({
      takenAt,
      dirs: dirs.map((d) => ({ path: d.path, mtimeMs: Option.isSome(d.st) ? d.st.value.mtimeMs : null }))
    })
  }).pipe(Effect.orElseSucceed(() => Option.none<Look>()))

/** Writes the stamp for `record` from what `look` saw (0600, atomic, through the store). */
export const write = (input: StampInput, record: SessionRecord, seen: Look) =>
  Effect.gen(function* () {
    if (input.hostSessionId === undefined || record.endedAt !== undefined) return
    const store = yield* Store
    const key = yield* pointerKeys.host(record.provider, input.hostSessionId)
    const text = encodeStamp({
      v: STAMP_VERSION,
      bundle: input.bundle,
      provider: input.provider,
      hostSessionId: input.hostSessionId,
      cwd: input.cwd,
      sessionId: record.sessionId,
      pointer: Layout.pointer(key),
      recordCwd: record.cwd,
      refreshMs: LAST_SEEN_REFRESH_MS,
      takenAt: seen.takenAt,
      dirs: seen.dirs
    })
    yield* store.write(stampPath(input.provider, input.hostSessionId), text)
    yield* Effect.logDebug(`stamp written (lastSeen ${formatIso(record.lastSeen)})`)
  }).pipe(Effect.catchAll((e) => Effect.logDebug(`stamp not written: ${e.message}`)))
