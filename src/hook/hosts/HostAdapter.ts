import * as Either from "effect/Either"
import type { ParseError } from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { HostId } from "../../hosts/index.js"

/** What a hook run is about, whatever the host calls it. */
export type HookEvent = "start" | "prompt" | "turn-end" | "end"

/** What a host tells the hook about its session, after decoding its stdin. */
export interface HostPayload {
  /** The host's own session id (Claude `session_id`, Cursor `conversation_id`, opencode `sessionID` ...). */
  readonly hostSessionId?: string | undefined
  /** The session's working directory as the host reports it. */
  readonly cwd?: string | undefined
  /** True when the host says this start resumes an earlier session. */
  readonly resumed?: boolean | undefined
}

/**
 * How `init` should register one hook command with the host: the event name the host uses, what the
 * hook does on it, and the host-side timeout in the host's own unit (always well above the hook's budget).
 */
export interface HostEventSpec {
  readonly hostEvent: string
  readonly event: HookEvent
}

export interface HostTimeout {
  readonly value: number
  readonly unit: "s" | "ms"
}

/** One host's side of the hook: event names, payload decoding, and the two replies it understands. */
export interface HostAdapter {
  readonly id: HostId
  /** The events `init` registers, in order (start, prompt, turn end, session end where the host has them). */
  readonly install: ReadonlyArray<HostEventSpec>
  /** Every event name the hook accepts for this host (the installed ones plus aliases). */
  readonly events: Readonly<Record<string, HookEvent>>
  /** The timeout `init` should write next to each hook command, per host event when it differs. */
  readonly hostTimeout: (hostEvent: string) => HostTimeout
  /** Environment variables that carry the host session id / cwd to hooks, tried after the payload. */
  readonly sessionIdEnv: ReadonlyArray<string>
  readonly cwdEnv: ReadonlyArray<string>
  /** Events on which unread messages are surfaced (prompt submit everywhere; Cursor also at start). */
  readonly surfaceOn: ReadonlyArray<HookEvent>
  /** True when the host adds the session-start reply's text to the model's context (else it is only logged). */
  readonly contextAtStart?: boolean | undefined
  /** Decodes the host's stdin JSON; unknown keys are ignored, wrong types are a failure. */
  readonly decode: (json: string) => Either.Either<HostPayload, string>
  /** The reply that adds nothing to the model's context. */
  readonly emptyReply: (hostEvent: string) => string
  /** The reply that adds `text` to the model's context for this event. */
  readonly contextReply: (hostEvent: string, text: string) => string
}

/** A string that is present and not blank, else undefined. */
export const nonBlank = (s: string | null | undefined): string | undefined =>
  typeof s === "string" && s.trim() !== "" ? s : undefined

/** Schema for fields hosts may send as a string, null, or not at all. */
export const OptionalText = Schema.optional(Schema.NullOr(Schema.String))

/**
 * Builds a `decode` from a payload schema and a mapping to HostPayload (JSON parse errors included). The schema
 * and its parser are made on the first call: a hook run decodes one host's payload, and making all seven at load
 * time shows in every run's cost.
 */
export const decoder = <A, I>(
  schema: () => Schema.Schema<A, I>,
  toPayload: (a: A) => HostPayload
): ((json: string) => Either.Either<HostPayload, string>) => {
  let parser: ((u: unknown) => Either.Either<A, ParseError>) | undefined
  const decode = (u: unknown) => (parser ??= Schema.decodeUnknownEither(schema(), { onExcessProperty: "ignore" }))(u)
  return (json) =>
    Either.try({
      try: (): unknown => JSON.parse(json),
      catch: (error) => `not JSON: ${error instanceof Error ? error.message : String(error)}`
    }).pipe(
      Either.flatMap((raw) => Either.mapLeft(decode(raw), (error) => error.message)),
      Either.map(toPayload)
    )
}

/**
 * The payload of the Claude-style hook protocol that Claude Code, Codex and Gemini CLI share: `session_id`,
 * `cwd`, `hook_event_name`, and `source` on session start ("resume" when the host resumes a session).
 */
export const claudeStyleDecode = decoder(
  () =>
    Schema.Struct({
      session_id: OptionalText,
      cwd: OptionalText,
      hook_event_name: OptionalText,
      source: OptionalText
    }),
  (p) => ({
    hostSessionId: nonBlank(p.session_id),
    cwd: nonBlank(p.cwd),
    resumed: p.source === "resume"
  })
)

/** The Claude-style event quartet that Claude Code, Codex and the plugin shims share. */
export const CLAUDE_EVENTS: ReadonlyArray<HostEventSpec> = [
  { hostEvent: "SessionStart", event: "start" },
  { hostEvent: "UserPromptSubmit", event: "prompt" },
  { hostEvent: "Stop", event: "turn-end" },
  { hostEvent: "SessionEnd", event: "end" }
]

export const eventTable = (specs: ReadonlyArray<HostEventSpec>): Record<string, HookEvent> =>
  Object.fromEntries(specs.map((s) => [s.hostEvent, s.event]))

/** `{"hookSpecificOutput":{"hookEventName":E,"additionalContext":T}}`: Claude Code, Codex and Gemini CLI. */
export { hookSpecificOutput } from "../../domain/HookReply.js"

/** The plugin-shim protocol (opencode, Cline, Grok wrappers): `{"context":T}`, or `{}` for nothing. */
export const shimReply = {
  empty: (_hostEvent: string) => "{}",
  context: (_hostEvent: string, text: string) => JSON.stringify({ context: text })
}
