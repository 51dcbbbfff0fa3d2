import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Identity } from "../bridge/Identity.js"
import { collisionWarning, labelTwins } from "../bridge/LabelCollisions.js"
import { pointerKeys, Sessions } from "../bridge/Sessions.js"
import { Surfacing } from "../bridge/Surfacing.js"
import type { BridgeFailure } from "../domain/Errors.js"
import { MARK_RESERVE_MS } from "../domain/HookStamp.js"
import type { ProviderId, SessionRecord } from "../domain/Records.js"
import { SessionId } from "../domain/Ulid.js"
import { logEvent } from "../services/EventLog.js"
import { HostEnv } from "../services/HostEnv.js"
import type { Store } from "../services/store/Store.js"
import { type InboxItem, MAX_ENTRIES, renderInboxBlock } from "../domain/InboxBlock.js"
import * as Stamp from "./Stamp.js"

export type HookServices = Identity | Sessions | Surfacing | Store

/** Built on first use: most runs never decode a session id from the environment. */
const decodeSessionId = (s: string) => Schema.decodeOption(SessionId)(s)

export { MARK_RESERVE_MS } from "../domain/HookStamp.js"

/** Who the hook runs for: the host, its own session id when it gave one, and the session's folder. */
export interface HookSessionInput {
  readonly provider: ProviderId
  readonly hostSessionId: string | undefined
  readonly cwd: string
  /** The bundle this run is from, when the launcher's fast path can use a stamp of it (src/hook/Stamp.ts). */
  readonly bundle?: string | undefined
}

/** The last, uninterruptible step of a run: marks what it will show and yields the block ("" for nothing). */
export interface Commit {
  readonly run: Effect.Effect<string, BridgeFailure>
  /** A line the reply carries before the block, or alone when the block is empty (a session-start warning). */
  readonly lead?: string | undefined
  /** True when the session's directories were read and nothing waited in them. */
  readonly idle?: boolean | undefined
}
export const nothing: Commit = { run: Effect.succeed("") }
const idle: Commit = { ...nothing, idle: true }

/**
 * Plans to surface unread, not-yet-surfaced entries of the session's inbox (live broadcasts included), oldest
 * first, as one block: only what fits is offered. The commit marks those surfaced and shows only the entries it
 * marked first (markers are created exclusively, so two concurrent runs never show one entry twice); anything
 * else stays waiting for a later prompt. The commit marks nothing unless MARK_RESERVE_MS of the budget
 * (`deadline`, epoch ms) is left.
 */
export const planSurface = (sessionId: SessionId, deadline: number): Effect.Effect<Commit, BridgeFailure, Surfacing> =>
  Effect.gen(function* () {
    const surfacing = yield* Surfacing
    const pending = yield* surfacing.unsurfaced(sessionId, MAX_ENTRIES)
    yield* Effect.logDebug(`${pending.waiting} entries waiting to be surfaced`)
    if (pending.waiting === 0) return idle
    if (pending.entries.length === 0) return nothing
    const offered: ReadonlyArray<InboxItem> = pending.entries
    const beyond = pending.waiting - offered.length
    const planned = renderInboxBlock(offered, beyond)
    if (planned.shown.length === 0) return nothing
    // On a full disk even an empty marker may not be created: the messages are shown anyway (and may show again).
    const marking = surfacing.markSurfaced(sessionId, planned.shown).pipe(
      Effect.catchIf(
        (e) => e.code === "STORE_IO",
        (e) => Effect.as(Effect.logWarning(`surfaced markers not written, shown anyway: ${e.message}`), planned.shown)
      )
    )
    const mark = Effect.map(marking, (marked) => {
      const won = new Set(marked)
      if (won.size === planned.shown.length) return planned.text
      if (won.size === 0) return ""
      // Another run surfaced some of these meanwhile: show only ours, and keep the rest waiting.
      const ours = offered.filter((m) => won.has(m.id))
      return renderInboxBlock(ours, beyond + offered.length - planned.shown.length).text
    })
    return {
      run: Effect.flatMap(Clock.currentTimeMillis, (now) => (deadline - now < MARK_RESERVE_MS ? nothing.run : mark))
    }
  })

/**
 * planSurface, and when it finds nothing waiting, the stamp that lets the next prompt say so without the bundle:
 * the directories are looked at before they are read, so whatever lands after the look changes their mtimes.
 */
const surfaceAndStamp = (input: HookSessionInput, record: SessionRecord, deadline: number) =>
  Effect.gen(function* () {
    const stampInput = input.bundle === undefined ? undefined : { ...input, bundle: input.bundle }
    const seen = yield* Stamp.look(stampInput, record)
    const commit = yield* planSurface(record.sessionId, deadline)
    if (commit.idle === true && stampInput !== undefined && Option.isSome(seen))
      yield* Stamp.write(stampInput, record, seen.value)
    return commit
  })

/**
 * At a start that shows nothing: the stamp, when nothing waits (counted by name; no message is read), so that the
 * first prompt can already take the fast path. A failure only leaves no stamp.
 */
const stampIfIdle = (input: HookSessionInput, record: SessionRecord) =>
  Effect.gen(function* () {
    const stampInput = input.bundle === undefined ? undefined : { ...input, bundle: input.bundle }
    const seen = yield* Stamp.look(stampInput, record)
    if (stampInput === undefined || Option.isNone(seen)) return nothing
    const pending = yield* (yield* Surfacing).unsurfaced(record.sessionId, 0)
    if (pending.waiting === 0) yield* Stamp.write(stampInput, record, seen.value)
    return nothing
  }).pipe(Effect.catchAll((e) => Effect.as(Effect.logDebug(`no stamp at start: ${e.message}`), nothing)))

/**
 * The warning line when other live sessions carry this session's label ("" when none); a collision is always
 * logged (label_collision). Reading the session list is start-only work: prompts never pay for it, and a
 * failure to read it only skips the warning.
 */
const labelCollision = (record: SessionRecord) =>
  Effect.gen(function* () {
    const twins = yield* labelTwins(yield* Sessions, record)
    if (twins.length === 0) return ""
    yield* logEvent("label_collision", {
      sessionId: record.sessionId,
      label: record.label,
      others: twins.map((r) => r.sessionId)
    })
    return collisionWarning(record, twins)
  }).pipe(Effect.catchAll((e) => Effect.as(Effect.logWarning(`label collision not checked: ${e.message}`), "")))

/**
 * Session start: register or refresh the record and point the host session id (and the cwd) at it, and check
 * whether another live session has the same label. With `surfaceBy` (the budget's deadline) it also plans to
 * surface, for hosts that take context at start; with `takesContext` a label collision adds one line before it.
 */
export const onStart = (input: HookSessionInput, surfaceBy: number | undefined, takesContext = false) =>
  Effect.gen(function* () {
    const identity = yield* Identity
    const record = yield* identity.resolve({ ...input, claimPointers: true, ignoreInvalidEnvLabel: true })
    const warning = yield* labelCollision(record)
    const inbox =
      surfaceBy !== undefined ? yield* surfaceAndStamp(input, record, surfaceBy) : yield* stampIfIdle(input, record)
    if (warning === "" || !takesContext) return inbox
    return { ...inbox, lead: warning }
  })

/** Prompt submit: refresh lastSeen (registering the session if its start was missed), then plan to surface. */
export const onPrompt = (input: HookSessionInput, surfaceBy: number | undefined) =>
  Effect.gen(function* () {
    const identity = yield* Identity
    const record = yield* identity.resolve({ ...input, ignoreInvalidEnvLabel: true })
    yield* Effect.logDebug(`session ${record.sessionId} resolved`)
    return surfaceBy !== undefined ? yield* surfaceAndStamp(input, record, surfaceBy) : nothing
  })

/** End of a turn: the session is alive; refresh lastSeen. */
export const onTurnEnd = (input: HookSessionInput) =>
  Effect.flatMap(Identity, (identity) => identity.resolve({ ...input, ignoreInvalidEnvLabel: true })).pipe(
    Effect.asVoid
  )

/**
 * The bridge session an existing pointer names, without registering anything: SESSION_BRIDGE_SESSION_ID,
 * the host session id pointer, else the cwd pointer.
 */
export const lookup = (input: HookSessionInput) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const sessions = yield* Sessions
    const explicit = Option.flatMap(env.get("SESSION_BRIDGE_SESSION_ID"), (s) =>
      decodeSessionId(s.trim().toUpperCase())
    )
    if (Option.isSome(explicit)) return explicit
    if (input.hostSessionId !== undefined) {
      const byHost = yield* sessions.readPointer(yield* pointerKeys.host(input.provider, input.hostSessionId))
      if (Option.isSome(byHost)) return Option.some(byHost.value.sessionId)
      return Option.none<SessionId>()
    }
    const byCwd = yield* sessions.readPointer(yield* pointerKeys.cwd(input.cwd))
    return Option.map(byCwd, (p) => p.sessionId)
  })

/** Session end: mark the session ended; its inbox keeps receiving. Nothing is created for an unknown session. */
export const onEnd = (input: HookSessionInput) =>
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const found = yield* lookup(input)
    if (Option.isSome(found)) yield* sessions.end(found.value)
  })
