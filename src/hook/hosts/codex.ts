import * as Schema from "effect/Schema"
import {
  CLAUDE_EVENTS,
  decoder,
  eventTable,
  type HostAdapter,
  hookSpecificOutput,
  nonBlank,
  OptionalText
} from "./HostAdapter.js"

/**
 * Codex CLI (verified with 0.171.0). hooks.json is Claude-compatible: SessionStart, UserPromptSubmit, Stop and
 * SessionEnd, each trusted by hash in config.toml. Stdin carries `session_id`, `turn_id`, `cwd`,
 * `hook_event_name` and `source` (startup|resume|clear|compact|fork). Codex's output schemas are strict
 * (no extra keys anywhere): context is `{"hookSpecificOutput":{"hookEventName":E,"additionalContext":T}}`,
 * and Stop must get nothing or `{}` (plain text there fails the hook). The empty reply is `{}` everywhere.
 */
const Payload = () =>
  Schema.Struct({
    session_id: OptionalText,
    cwd: OptionalText,
    hook_event_name: OptionalText,
    source: OptionalText
  })

/** Events whose output schema has `hookSpecificOutput.additionalContext`. */
const CONTEXT_EVENTS = new Set(["SessionStart", "UserPromptSubmit"])

export const codex: HostAdapter = {
  id: "codex",
  install: CLAUDE_EVENTS,
  events: eventTable(CLAUDE_EVENTS),
  // Seconds (default 600, minimum 1); SessionEnd is reportedly clamped to 1-3 s.
  hostTimeout: (hostEvent) => ({ value: hostEvent === "SessionEnd" ? 3 : 10, unit: "s" }),
  sessionIdEnv: [],
  cwdEnv: [],
  surfaceOn: ["prompt"],
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.session_id),
    cwd: nonBlank(p.cwd),
    resumed: p.source === "resume"
  })),
  emptyReply: () => "{}",
  contextReply: (hostEvent, text) => (CONTEXT_EVENTS.has(hostEvent) ? hookSpecificOutput(hostEvent, text) : "{}")
}
