import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  type BridgeFailure,
  InvalidArgument,
  type InvalidName,
  type LockTimeout,
  SessionNotFound,
  type StoreError
} from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { type Label, requireLabel } from "../domain/Names.js"
import { type ProviderId, SessionRecord } from "../domain/Records.js"
import { SessionId } from "../domain/Ulid.js"
import { createJson, readJsonIn, writeJson } from "../services/store/Documents.js"
import { logEvent } from "../services/EventLog.js"
import { HostEnv } from "../services/HostEnv.js"
import { Ids } from "../services/Ids.js"
import { Lock } from "../services/Lock.js"
import { Store } from "../services/store/Store.js"
import { type Address, type AddressFailure, makeResolve, type Resolved, type SessionStatus } from "./Addressing.js"
import { LAST_SEEN_REFRESH_MS, LIVE_WINDOW_MS, MAX_SUMMARY_CHARS } from "./Limits.js"
import { makeRecordCache } from "./RecordCache.js"
import { defaultLabel } from "./SessionLabel.js"
import { checkPointerKey, normalizeCwd, Pointer, type PointerInput, pointerRecord } from "./Pointers.js"

export type { Address, SessionStatus } from "./Addressing.js"
export { normalizeCwd, Pointer, type PointerInput, pointerKeys, safePointerKey } from "./Pointers.js"

export interface RegisterInput {
  /** Keep this id (explicit env, pointer); a new ULID when absent. */
  readonly sessionId?: SessionId | undefined
  /** Explicit label; on refresh only an explicit label replaces the stored one. */
  readonly label?: string | undefined
  readonly cwd: string
  readonly provider: ProviderId
  readonly hostSessionId?: string | undefined
  readonly pid?: number | undefined
}

/**
 * A write that failed for the disk's or the home's sake (full, read-only, lock unobtainable, a planted entry the
 * store refuses): for a refresh of lastSeen this is bookkeeping, never a reason to fail the read it comes with.
 */
const isBookkeepingFailure = (e: BridgeFailure): boolean =>
  e.code === "STORE_IO" || e.code === "LOCK_TIMEOUT" || e.code === "HOME_UNSAFE"

/** The session registry: records, liveness, summaries, addressing and identity pointers. */
export interface SessionsShape {
  /** Creates the record, or refreshes it (lastSeen, cwd, provider, pid; label only when given; clears endedAt). */
  readonly register: (input: RegisterInput) => Effect.Effect<SessionRecord, InvalidName | StoreError | LockTimeout>
  /** Refreshes lastSeen; SESSION_NOT_FOUND when there is no record. */
  readonly touch: (sessionId: SessionId) => Effect.Effect<SessionRecord, SessionNotFound | StoreError | LockTimeout>
  /** Marks the session ended (it shows offline); messages keep arriving in its inbox. */
  readonly end: (sessionId: SessionId) => Effect.Effect<Option.Option<SessionRecord>, StoreError | LockTimeout>
  readonly get: (sessionId: SessionId) => Effect.Effect<Option.Option<SessionRecord>, StoreError>
  readonly require: (sessionId: SessionId) => Effect.Effect<SessionRecord, SessionNotFound | StoreError>
  /** Newest lastSeen first; online sessions only unless includeOffline. */
  readonly list: (options?: {
    readonly includeOffline?: boolean | undefined
  }) => Effect.Effect<ReadonlyArray<SessionStatus>, StoreError | LockTimeout>
  readonly isOnline: (record: SessionRecord) => Effect.Effect<boolean>
  readonly setSummary: (
    sessionId: SessionId,
    summary: string
  ) => Effect.Effect<SessionRecord, InvalidArgument | SessionNotFound | StoreError | LockTimeout>
  /** Label | absolute cwd | full id | unique live 6-25 char prefix. */
  readonly resolve: (address: Address) => Effect.Effect<SessionRecord, AddressFailure>
  /** As resolve, and says when a label or cwd matched several sessions. */
  readonly resolveMatch: (address: Address) => Effect.Effect<Resolved, AddressFailure>
  readonly writePointer: (key: string, pointer: PointerInput) => Effect.Effect<void, InvalidName | StoreError>
  /** Writes the pointer only if none exists; true when this call created it. */
  readonly createPointer: (key: string, pointer: PointerInput) => Effect.Effect<boolean, InvalidName | StoreError>
  readonly readPointer: (key: string) => Effect.Effect<Option.Option<Pointer>, InvalidName | StoreError>
}

export class Sessions extends Context.Tag("session-bridge/Sessions")<Sessions, SessionsShape>() {}

export const make = Effect.gen(function* () {
  const store = yield* Store
  const lock = yield* Lock
  const ids = yield* Ids
  const env = yield* HostEnv
  const provideStore = Effect.provideService(Store, store)

  const get = (sessionId: SessionId) => readJsonIn(store, Layout.session(sessionId), SessionRecord)
  const save = (record: SessionRecord) =>
    writeJson(Layout.session(record.sessionId), SessionRecord, record).pipe(provideStore)
  const locked = <A, E>(sessionId: string, effect: Effect.Effect<A, E>) => lock.withLock(`session-${sessionId}`)(effect)

  const onlineAt = (record: SessionRecord, now: DateTime.Utc) =>
    record.endedAt === undefined && DateTime.distance(record.lastSeen, now) <= LIVE_WINDOW_MS
  const isOnline = (record: SessionRecord) => Effect.map(DateTime.now, (now) => onlineAt(record, now))

  const update = (sessionId: SessionId, f: (r: SessionRecord, now: DateTime.Utc) => SessionRecord) =>
    locked(
      sessionId,
      Effect.gen(function* () {
        const current = yield* get(sessionId)
        if (Option.isNone(current)) {
          return yield* new SessionNotFound({
            message: `no session ${sessionId}`,
            hint: "Run `session-bridge list-sessions --all`; a new session registers on its first tool call or prompt."
          })
        }
        const next = f(current.value, yield* DateTime.now)
        yield* save(next)
        return next
      })
    )

  /** True when registering `input` over `r` changes only bookkeeping (lastSeen, pid, endedAt). */
  const sameIdentity = (r: SessionRecord, input: RegisterInput, explicit: Label | undefined) =>
    (explicit === undefined || explicit === r.label) &&
    r.cwd === normalizeCwd(input.cwd) &&
    r.provider === input.provider &&
    (input.hostSessionId === undefined || input.hostSessionId === r.hostSessionId)

  /** The stored record when registering `input` would only move a recent lastSeen: no lock, no write. */
  const unchanged = (sessionId: SessionId, input: RegisterInput, explicit: Label | undefined) =>
    Effect.gen(function* () {
      const current = yield* get(sessionId)
      if (Option.isNone(current)) return current
      const r = current.value
      const same =
        r.endedAt === undefined &&
        DateTime.distance(r.lastSeen, yield* DateTime.now) < LAST_SEEN_REFRESH_MS &&
        sameIdentity(r, input, explicit) &&
        (input.pid === undefined || input.pid === r.pid)
      return same ? current : Option.none()
    })

  /**
   * A refresh that could not be written (full disk, read-only home, lock unobtainable) is bookkeeping: the stored
   * record is used as it is, and the failure logged. A new record, or a change of label, cwd or provider, fails.
   */
  const staleOnFailure =
    (sessionId: SessionId, input: RegisterInput, explicit: Label | undefined) =>
    <E extends BridgeFailure>(attempt: Effect.Effect<SessionRecord, E>) =>
      Effect.catchIf(
        attempt,
        (e) => input.sessionId !== undefined && isBookkeepingFailure(e),
        (e) =>
          Effect.flatMap(Effect.orElseSucceed(get(sessionId), Option.none), (current) =>
            Option.isSome(current) && sameIdentity(current.value, input, explicit)
              ? Effect.as(Effect.logWarning(`session ${sessionId} not refreshed: ${e.message}`), current.value)
              : Effect.fail(e)
          )
      )

  const register = (input: RegisterInput) =>
    Effect.gen(function* () {
      const explicit = input.label === undefined ? undefined : yield* requireLabel(input.label)
      const sessionId = input.sessionId ?? (yield* Schema.decode(SessionId)(yield* ids.next).pipe(Effect.orDie))
      if (input.sessionId !== undefined) {
        const fresh = yield* unchanged(sessionId, input, explicit)
        if (Option.isSome(fresh)) return fresh.value
      }
      return yield* locked(
        sessionId,
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const current = yield* get(sessionId)
          const base = Option.match(current, {
            onNone: () => ({
              label: explicit ?? defaultLabel(env, input.cwd),
              createdAt: now,
              summary: undefined as string | undefined
            }),
            onSome: (r) => ({ label: explicit ?? r.label, createdAt: r.createdAt, summary: r.summary })
          })
          const hostSessionId = input.hostSessionId ?? Option.getOrUndefined(current)?.hostSessionId
          const record = SessionRecord.make({
            v: 1,
            sessionId,
            label: base.label,
            cwd: normalizeCwd(input.cwd),
            provider: input.provider,
            ...(hostSessionId !== undefined ? { hostSessionId } : {}),
            ...(input.pid !== undefined ? { pid: input.pid } : {}),
            createdAt: base.createdAt,
            lastSeen: now,
            ...(base.summary !== undefined ? { summary: base.summary } : {})
          })
          yield* save(record)
          if (Option.isNone(current))
            yield* logEvent("session_registered", {
              sessionId,
              label: record.label,
              cwd: record.cwd,
              provider: record.provider
            }).pipe(provideStore)
          return record
        })
      ).pipe(staleOnFailure(sessionId, input, explicit))
    })

  const recordCache = makeRecordCache(store, Layout.sessionsDir, SessionRecord)
  const list = (options?: { readonly includeOffline?: boolean | undefined }) =>
    Effect.gen(function* () {
      const records = yield* recordCache.readAll
      const now = yield* DateTime.now
      return records
        .map((record) => ({ record, online: onlineAt(record, now) }))
        .filter((s) => s.online || options?.includeOffline === true)
        .sort((a, b) => DateTime.toEpochMillis(b.record.lastSeen) - DateTime.toEpochMillis(a.record.lastSeen))
    })

  const resolveMatch = makeResolve({ list, get, store })

  const require = (sessionId: SessionId) =>
    Effect.flatMap(get(sessionId), (found) =>
      Option.match(found, {
        onNone: () =>
          Effect.fail(
            new SessionNotFound({
              message: `no session ${sessionId}`,
              hint: "Run `session-bridge list-sessions --all`."
            })
          ),
        onSome: Effect.succeed
      })
    )

  return Sessions.of({
    register,
    touch: (sessionId) =>
      update(sessionId, (r, now) => SessionRecord.make({ ...r, lastSeen: now })).pipe(
        Effect.catchIf(isBookkeepingFailure, (e) =>
          Effect.flatMap(require(sessionId), (r) =>
            Effect.as(Effect.logWarning(`lastSeen of ${sessionId} not refreshed: ${e.message}`), r)
          )
        )
      ),
    end: (sessionId) =>
      update(sessionId, (r, now) => SessionRecord.make({ ...r, lastSeen: now, endedAt: now })).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (e) => e.code === "SESSION_NOT_FOUND",
          () => Effect.succeed(Option.none())
        )
      ),
    get,
    require,
    list,
    isOnline,
    setSummary: (sessionId, summary) =>
      summary.length > MAX_SUMMARY_CHARS
        ? Effect.fail(
            new InvalidArgument({
              message: `summary is ${summary.length} characters; the limit is ${MAX_SUMMARY_CHARS}`,
              hint: "Keep the summary to a sentence or two."
            })
          )
        : update(sessionId, (r) => {
            const { summary: _previous, ...rest } = r
            return SessionRecord.make(summary.trim() === "" ? rest : { ...rest, summary })
          }),
    resolve: (address) => Effect.map(resolveMatch(address), (r) => r.record),
    resolveMatch,
    writePointer: (key, p) =>
      Effect.zipRight(
        checkPointerKey(key),
        Effect.flatMap(pointerRecord(p), (rec) => writeJson(Layout.pointer(key), Pointer, rec))
      ).pipe(provideStore),
    createPointer: (key, p) =>
      Effect.zipRight(
        checkPointerKey(key),
        Effect.flatMap(pointerRecord(p), (rec) => createJson(Layout.pointer(key), Pointer, rec))
      ).pipe(provideStore),
    readPointer: (key) => Effect.zipRight(checkPointerKey(key), readJsonIn(store, Layout.pointer(key), Pointer))
  })
})

export const layer: Layer.Layer<Sessions, never, Store | Lock | Ids | HostEnv> = Layer.effect(Sessions, make)
