import * as Schema from "effect/Schema"
import {
  CLAUDE_EVENTS,
  decoder,
  eventTable,
  type HostAdapter,
  nonBlank,
  OptionalText,
  shimReply
} from "./HostAdapter.js"

/**
 * Grok CLI (verified with 0.0.34) has no hooks and no plugins: `init` points the model at the MCP tools through
 * `.grok/GROK.md` instead. This adapter lets a wrapper script call the same command with the shim protocol
 * (stdin `{"session_id"?: "...", "cwd": "/abs"}`, stdout `{"context":T}` or `{}`); without a host session id the
 * session is keyed by its cwd.
 */
const Payload = () =>
  Schema.Struct({
    session_id: OptionalText,
    sessionID: OptionalText,
    cwd: OptionalText
  })

export const grok: HostAdapter = {
  id: "grok",
  install: [],
  events: eventTable(CLAUDE_EVENTS),
  hostTimeout: () => ({ value: 10_000, unit: "ms" }),
  sessionIdEnv: [],
  cwdEnv: [],
  surfaceOn: ["prompt"],
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.session_id) ?? nonBlank(p.sessionID),
    cwd: nonBlank(p.cwd)
  })),
  emptyReply: shimReply.empty,
  contextReply: shimReply.context
}
