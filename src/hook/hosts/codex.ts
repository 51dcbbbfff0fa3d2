import { CLAUDE_EVENTS, claudeStyleDecode, eventTable, type HostAdapter, hookSpecificOutput } from "./HostAdapter.js"

/**
 * Codex CLI (verified with 0.171.0). hooks.json is Claude-compatible: SessionStart, UserPromptSubmit, Stop and
 * SessionEnd, each trusted by hash in config.toml. Stdin carries `session_id`, `turn_id`, `cwd`,
 * `hook_event_name` and `source` (startup|resume|clear|compact|fork). Codex's output schemas are strict
 * (no extra keys anywhere): context is `{"hookSpecificOutput":{"hookEventName":E,"additionalContext":T}}`,
 * and Stop must get nothing or `{}` (plain text there fails the hook). The empty reply is `{}` everywhere.
 */
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
  contextAtStart: true,
  decode: claudeStyleDecode,
  emptyReply: () => "{}",
  contextReply: (hostEvent, text) => (CONTEXT_EVENTS.has(hostEvent) ? hookSpecificOutput(hostEvent, text) : "{}")
}
