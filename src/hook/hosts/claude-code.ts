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
 * Claude Code (verified with 2.1.197). Hooks in settings.json run `session-bridge hook <Event> --provider claude-code`
 * on SessionStart, UserPromptSubmit, Stop and SessionEnd. Stdin carries `session_id` (equal to the
 * CLAUDE_CODE_SESSION_ID the MCP server sees), `cwd`, `hook_event_name`, and `source` on SessionStart.
 * Context goes back as `hookSpecificOutput.additionalContext` (capped by the host at 10,000 characters) and
 * reaches the model as a system entry; an empty stdout adds nothing.
 */
const Payload = () =>
  Schema.Struct({
    session_id: OptionalText,
    cwd: OptionalText,
    hook_event_name: OptionalText,
    source: OptionalText
  })

export const claudeCode: HostAdapter = {
  id: "claude-code",
  install: CLAUDE_EVENTS,
  events: eventTable(CLAUDE_EVENTS),
  // Seconds. The default is 600 s; SessionEnd hooks share a 1.5 s budget raised to the largest SessionEnd timeout.
  hostTimeout: () => ({ value: 10, unit: "s" }),
  sessionIdEnv: ["CLAUDE_CODE_SESSION_ID"],
  cwdEnv: ["CLAUDE_PROJECT_DIR"],
  surfaceOn: ["prompt"],
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.session_id),
    cwd: nonBlank(p.cwd),
    resumed: p.source === "resume"
  })),
  emptyReply: () => "",
  contextReply: hookSpecificOutput
}
