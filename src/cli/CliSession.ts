import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Recipient } from "../bridge/Mailbox.js"
import { sanitizeLabel } from "../bridge/SessionLabel.js"
import { pointerKeys, Sessions } from "../bridge/Sessions.js"
import { type BridgeFailure, IdentityUnresolved, InvalidArgument, SessionNotFound } from "../domain/Errors.js"
import { nfc } from "../domain/Nfc.js"
import type { SessionRecord } from "../domain/Records.js"
import { isUlid, SessionId } from "../domain/Ulid.js"
import { HostEnv } from "../services/HostEnv.js"
import { Ids } from "../services/Ids.js"

/** `--as <label|id>`: act as another session (label, absolute cwd, id or unique live prefix). */
export const asOption = Options.text("as").pipe(
  Options.withDescription(
    "Act as this session (label, absolute cwd, session id or prefix) instead of your own CLI session"
  ),
  Options.optional
)

const asAddress = (raw: string) => (raw.startsWith("/") ? { cwd: raw } : { label: raw })

/** Resolves `--as`: a label (or cwd) first, then a full id or a unique live id prefix. */
export const resolveAs = (raw: string): Effect.Effect<SessionRecord, BridgeFailure, Sessions> =>
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const value = raw.trim()
    if (value === "")
      return yield* new InvalidArgument({
        message: "--as needs a label or a session id",
        hint: "Run `session-bridge list-sessions --all`."
      })
    if (isUlid(value.toUpperCase())) return yield* sessions.resolve({ sessionId: value })
    const byName = sessions.resolve(asAddress(value))
    const idLike = /^[0-9A-Za-z]{6,25}$/.test(value)
    const found = yield* idLike
      ? byName.pipe(Effect.catchTag("RecipientNotFound", () => sessions.resolve({ sessionId: value })))
      : byName
    return found
  }).pipe(
    Effect.mapError((e) =>
      e._tag === "RecipientNotFound"
        ? new SessionNotFound({
            message: `--as ${JSON.stringify(raw)}: no session has this label, cwd or id`,
            hint: "Run `session-bridge list-sessions --all` to see the sessions you can act as."
          })
        : e
    )
  )

const decodeSessionId = Schema.decode(SessionId)

/**
 * The CLI's own session: one per OS user, labelled with the user name, provider "cli", reused across runs
 * through the pointer `cli-<user>`. With SESSION_BRIDGE_SESSION_ID set, that (existing) session instead.
 */
export const cliSession: Effect.Effect<SessionRecord, BridgeFailure, Sessions | HostEnv | Ids> = Effect.gen(
  function* () {
    const sessions = yield* Sessions
    const host = yield* HostEnv
    const ids = yield* Ids
    const explicit = host.get("SESSION_BRIDGE_SESSION_ID")
    if (Option.isSome(explicit)) {
      const raw = explicit.value.trim().toUpperCase()
      const id = yield* decodeSessionId(raw).pipe(
        Effect.mapError(
          () =>
            new IdentityUnresolved({
              message: `SESSION_BRIDGE_SESSION_ID is not a 26-character ULID: ${JSON.stringify(explicit.value.slice(0, 40))}`,
              hint: "Unset it to use your CLI session, or pass --as <label|id>."
            })
        )
      )
      return yield* sessions.require(id)
    }
    const label = sanitizeLabel(host.userName)
    const key = yield* pointerKeys.host("cli", host.userName)
    const existing = yield* sessions.readPointer(key)
    const sessionId = Option.isSome(existing)
      ? existing.value.sessionId
      : yield* Effect.gen(function* () {
          const fresh = yield* Effect.orDie(decodeSessionId(yield* ids.next))
          if (yield* sessions.createPointer(key, { sessionId: fresh, provider: "cli", hostSessionId: host.userName }))
            return fresh
          // Another CLI run claimed the pointer first: use its session.
          const winner = yield* sessions.readPointer(key)
          return Option.match(winner, { onNone: () => fresh, onSome: (p) => p.sessionId })
        })
    return yield* sessions.register({ sessionId, label, cwd: host.cwd, provider: "cli", hostSessionId: host.userName })
  }
)

/**
 * The id of the session this terminal speaks as, without registering anything: SESSION_BRIDGE_SESSION_ID when
 * set, else the CLI session's pointer when one exists.
 */
export const ownSessionId: Effect.Effect<Option.Option<string>, BridgeFailure, Sessions | HostEnv> = Effect.gen(
  function* () {
    const host = yield* HostEnv
    const explicit = host.get("SESSION_BRIDGE_SESSION_ID")
    if (Option.isSome(explicit)) return Option.some(explicit.value.trim().toUpperCase())
    const sessions = yield* Sessions
    const pointer = yield* sessions.readPointer(yield* pointerKeys.host("cli", host.userName))
    return Option.map(pointer, (p): string => p.sessionId)
  }
)

/** The session a command acts as: `--as` when given, else the CLI's own session. */
export const actingSession = (
  as: Option.Option<string>
): Effect.Effect<SessionRecord, BridgeFailure, Sessions | HostEnv | Ids> =>
  Option.match(as, { onNone: () => cliSession, onSome: resolveAs })

/**
 * A recipient as the send tool accepts it: `#channel`, an absolute cwd, a session id, a label, or a unique live
 * id prefix (tried when no session has the label). A label or cwd is passed on as such, so the send resolves it
 * once and can report that several sessions matched.
 */
export const parseRecipient = (raw: string): Effect.Effect<Recipient, BridgeFailure, Sessions> =>
  Effect.gen(function* () {
    const value = raw.trim()
    if (value.startsWith("#")) return { channel: value }
    if (value.startsWith("/")) return { cwd: value }
    if (isUlid(value.toUpperCase())) return { sessionId: value.toUpperCase() }
    // A 6-25 character alphanumeric name may also be an id prefix; when neither matches, report the label.
    if (!/^[0-9A-Za-z]{6,25}$/.test(value)) return { label: value }
    const sessions = yield* Sessions
    const all = yield* sessions.list({ includeOffline: true })
    if (all.some((s) => nfc(s.record.label) === nfc(value))) return { label: value }
    const record = yield* sessions
      .resolve({ sessionId: value })
      .pipe(Effect.catchTag("RecipientNotFound", () => sessions.resolve({ label: value })))
    return { sessionId: record.sessionId }
  })
