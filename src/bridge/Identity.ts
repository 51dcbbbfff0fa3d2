import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  IdentityUnresolved,
  type InvalidName,
  type LockTimeout,
  type SessionNotFound,
  type StoreError
} from "../domain/Errors.js"
import type { ProviderId, SessionRecord } from "../domain/Records.js"
import { requireLabel } from "../domain/Names.js"
import { isUlid, SessionId } from "../domain/Ulid.js"
import { HostEnv } from "../services/HostEnv.js"
import { Ids } from "../services/Ids.js"
import { pointerKeys, Sessions } from "./Sessions.js"

export interface IdentityInput {
  readonly provider: ProviderId
  /** The host's own session id (hook payload `session_id`); CLAUDE_CODE_SESSION_ID is read when absent. */
  readonly hostSessionId?: string | undefined
  /** The host process id, when the caller knows it (pointer keyed by provider + pid). */
  readonly hostPid?: number | undefined
  readonly cwd: string
  /** Explicit label; SESSION_BRIDGE_LABEL when absent. Without either, an existing record keeps its label. */
  readonly label?: string | undefined
  /** This process's pid, stored on the record. */
  readonly pid?: number | undefined
  /**
   * An invalid SESSION_BRIDGE_LABEL is logged and ignored (the session keeps its label, or gets the cwd's name)
   * instead of failing: the hook must still surface messages. Tools and the CLI refuse it (INVALID_NAME).
   */
  readonly ignoreInvalidEnvLabel?: boolean | undefined
  /** Session start: also point the cwd (and host pid) at the resolved session, replacing older pointers. */
  readonly claimPointers?: boolean | undefined
}

/** Who am I: resolves (and registers when needed) the bridge session of the calling process. */
export interface IdentityShape {
  /**
   * First hit wins: SESSION_BRIDGE_SESSION_ID; the host session id (pointer keyed by provider + host id, created
   * on first sight so the hook and the MCP server of one host session agree, and a resume keeps the id);
   * the host pid pointer; the cwd pointer; else a new session for the cwd. The record is registered or refreshed.
   */
  readonly resolve: (input: IdentityInput) => Effect.Effect<SessionRecord, IdentityFailure>
}

/** What telling the acting session may fail with. */
export type IdentityFailure = IdentityUnresolved | InvalidName | SessionNotFound | StoreError | LockTimeout

export class Identity extends Context.Tag("session-bridge/Identity")<Identity, IdentityShape>() {}

export const resolveIdentity = (input: IdentityInput): Effect.Effect<SessionRecord, IdentityFailure, Identity> =>
  Effect.flatMap(Identity, (identity) => identity.resolve(input))

export const make = Effect.gen(function* () {
  const sessions = yield* Sessions
  const env = yield* HostEnv
  const ids = yield* Ids

  const newId = Effect.map(ids.next, (id) => Schema.decodeSync(SessionId)(id))

  /** Reads the pointer at `key`, or claims it for a fresh id; a concurrent claimer's id wins. */
  const claim = (key: string, pointer: Omit<Parameters<typeof sessions.createPointer>[1], "sessionId">) =>
    Effect.gen(function* () {
      const existing = yield* sessions.readPointer(key)
      if (Option.isSome(existing)) return existing.value.sessionId
      const fresh = yield* newId
      if (yield* sessions.createPointer(key, { ...pointer, sessionId: fresh })) return fresh
      const winner = yield* sessions.readPointer(key)
      return Option.match(winner, { onNone: () => fresh, onSome: (p) => p.sessionId })
    })

  /** SESSION_BRIDGE_LABEL checked (NFC); undefined when unset, or when invalid and `lenient`. */
  const envLabel = (lenient: boolean): Effect.Effect<string | undefined, InvalidName> =>
    Option.match(env.get("SESSION_BRIDGE_LABEL"), {
      onNone: () => Effect.succeed(undefined),
      onSome: (raw) =>
        requireLabel(raw, "SESSION_BRIDGE_LABEL").pipe(
          Effect.catchAll((e) =>
            lenient ? Effect.as(Effect.logWarning(`${e.message}; ignored`), undefined) : Effect.fail(e)
          )
        )
    })

  const resolve = (input: IdentityInput) =>
    Effect.gen(function* () {
      const label = input.label ?? (yield* envLabel(input.ignoreInvalidEnvLabel === true))
      const explicit = env.get("SESSION_BRIDGE_SESSION_ID")
      const claudeId = env.get("CLAUDE_CODE_SESSION_ID")
      const hostSessionId = input.hostSessionId ?? Option.getOrUndefined(claudeId)
      const hostProvider: ProviderId =
        input.hostSessionId === undefined && Option.isSome(claudeId) ? "claude-code" : input.provider

      let sessionId: SessionId | undefined
      if (Option.isSome(explicit)) {
        const raw = explicit.value.trim().toUpperCase()
        if (!isUlid(raw)) {
          return yield* new IdentityUnresolved({
            message: `SESSION_BRIDGE_SESSION_ID is not a 26-character ULID: ${JSON.stringify(explicit.value.slice(0, 40))}`,
            hint: "Unset it to let the bridge resolve the session, or set a valid id from `session-bridge list-sessions`."
          })
        }
        sessionId = yield* Schema.decode(SessionId)(raw).pipe(Effect.orDie)
      }
      if (sessionId === undefined && hostSessionId !== undefined) {
        const key = yield* pointerKeys.host(hostProvider, hostSessionId)
        sessionId = yield* claim(key, { provider: hostProvider, hostSessionId, cwd: input.cwd })
      }
      if (sessionId === undefined && input.hostPid !== undefined) {
        const found = yield* sessions.readPointer(yield* pointerKeys.pid(input.provider, input.hostPid))
        sessionId = Option.getOrUndefined(found)?.sessionId
      }
      // The cwd's key (a sha256) is made only when it is used: most runs resolve by the host's session id.
      const cwdKey = pointerKeys.cwd(input.cwd)
      if (sessionId === undefined) {
        sessionId = yield* claim(yield* cwdKey, { provider: input.provider, cwd: input.cwd })
      }
      const record = yield* sessions.register({
        sessionId,
        label,
        cwd: input.cwd,
        provider: input.provider,
        hostSessionId,
        pid: input.pid
      })
      if (input.claimPointers === true) {
        const pointer = { sessionId, provider: input.provider, hostSessionId, cwd: input.cwd, pid: input.hostPid }
        yield* sessions.writePointer(yield* cwdKey, pointer)
        if (input.hostPid !== undefined)
          yield* sessions.writePointer(yield* pointerKeys.pid(input.provider, input.hostPid), pointer)
        if (hostSessionId !== undefined)
          yield* sessions.writePointer(yield* pointerKeys.host(hostProvider, hostSessionId), pointer)
      }
      return record
    })

  return Identity.of({ resolve })
})

export const layer: Layer.Layer<Identity, never, Sessions | HostEnv | Ids> = Layer.effect(Identity, make)
