import {
  claudeStyleDecode,
  eventTable,
  type HostAdapter,
  type HostEventSpec,
  hookSpecificOutput
} from "./HostAdapter.js"

/**
 * Gemini CLI (verified with 0.61.0). settings.json hooks: SessionStart, BeforeAgent (prompt submit),
 * AfterAgent (end of turn), SessionEnd. Stdin carries `session_id`, `cwd`, `hook_event_name`, `source`;
 * hooks also get GEMINI_SESSION_ID and GEMINI_CWD. Only JSON on stdout is injected (plain text is shown to the
 * user, never to the model): `{"hookSpecificOutput":{"hookEventName":"BeforeAgent","additionalContext":T}}`
 * becomes a `<hook_context>` part of the user turn, with `<` and `>` HTML-escaped by the host.
 */
const EVENTS: ReadonlyArray<HostEventSpec> = [
  { hostEvent: "SessionStart", event: "start" },
  { hostEvent: "BeforeAgent", event: "prompt" },
  { hostEvent: "AfterAgent", event: "turn-end" },
  { hostEvent: "SessionEnd", event: "end" }
]

export const geminiCli: HostAdapter = {
  id: "gemini-cli",
  install: EVENTS,
  events: eventTable(EVENTS),
  // Milliseconds (default 60,000; on timeout SIGTERM, then SIGKILL 5 s later).
  hostTimeout: () => ({ value: 10_000, unit: "ms" }),
  sessionIdEnv: ["GEMINI_SESSION_ID"],
  cwdEnv: ["GEMINI_CWD", "GEMINI_PROJECT_DIR"],
  surfaceOn: ["prompt"],
  contextAtStart: true,
  decode: claudeStyleDecode,
  emptyReply: () => "{}",
  contextReply: (hostEvent, text) =>
    hostEvent === "BeforeAgent" || hostEvent === "SessionStart" ? hookSpecificOutput(hostEvent, text) : "{}"
}
