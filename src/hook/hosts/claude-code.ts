import { CLAUDE_EVENTS, claudeStyleDecode, eventTable, type HostAdapter, hookSpecificOutput } from "./HostAdapter.js"

/**
 * Claude Code (verified with 2.1.197). Hooks in settings.json run `session-bridge hook <Event> --provider claude-code`
 * on SessionStart, UserPromptSubmit, Stop and SessionEnd. Stdin carries `session_id` (equal to the
 * CLAUDE_CODE_SESSION_ID the MCP server sees), `cwd`, `hook_event_name`, and `source` on SessionStart.
 * Context goes back as `hookSpecificOutput.additionalContext` (capped by the host at 10,000 characters) and
 * reaches the model as a system entry; an empty stdout adds nothing.
 */
export const claudeCode: HostAdapter = {
  id: "claude-code",
  install: CLAUDE_EVENTS,
  events: eventTable(CLAUDE_EVENTS),
  // Seconds. The default is 600 s; SessionEnd hooks share a 1.5 s budget raised to the largest SessionEnd timeout.
  hostTimeout: () => ({ value: 10, unit: "s" }),
  sessionIdEnv: ["CLAUDE_CODE_SESSION_ID"],
  cwdEnv: ["CLAUDE_PROJECT_DIR"],
  surfaceOn: ["prompt"],
  contextAtStart: true,
  decode: claudeStyleDecode,
  emptyReply: () => "",
  contextReply: hookSpecificOutput
}
