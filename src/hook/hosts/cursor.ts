import * as Schema from "effect/Schema"
import { decoder, eventTable, type HostAdapter, type HostEventSpec, nonBlank, OptionalText } from "./HostAdapter.js"

/**
 * Cursor (docs and third-party readings only; not installable here). hooks.json (`version: 1`) events
 * sessionStart, beforeSubmitPrompt, stop, sessionEnd. Stdin carries `conversation_id`, `workspace_roots`,
 * `hook_event_name` (newer builds also `session_id`). sessionStart accepts `{"additional_context":T}`;
 * beforeSubmitPrompt answers `{"continue":true}` and, on clients that honour it, `additional_context` too.
 * Because prompt-time context is disputed, Cursor also surfaces at session start.
 */
const Payload = () =>
  Schema.Struct({
    conversation_id: OptionalText,
    session_id: OptionalText,
    cwd: OptionalText,
    workspace_roots: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
    hook_event_name: OptionalText
  })

const EVENTS: ReadonlyArray<HostEventSpec> = [
  { hostEvent: "sessionStart", event: "start" },
  { hostEvent: "beforeSubmitPrompt", event: "prompt" },
  { hostEvent: "stop", event: "turn-end" },
  { hostEvent: "sessionEnd", event: "end" }
]

export const cursor: HostAdapter = {
  id: "cursor",
  install: EVENTS,
  events: eventTable(EVENTS),
  // The unit is undocumented (examples use both seconds and 60000): 10000 is 10 s if read as milliseconds,
  // and only a generous cap if read as seconds, since the hook always finishes within its own budget.
  hostTimeout: () => ({ value: 10_000, unit: "ms" }),
  sessionIdEnv: [],
  cwdEnv: ["CURSOR_PROJECT_DIR"],
  surfaceOn: ["start", "prompt"],
  contextAtStart: true,
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.conversation_id) ?? nonBlank(p.session_id),
    cwd: nonBlank(p.cwd) ?? nonBlank(p.workspace_roots?.[0])
  })),
  emptyReply: (hostEvent) => (hostEvent === "beforeSubmitPrompt" ? JSON.stringify({ continue: true }) : "{}"),
  contextReply: (hostEvent, text) =>
    hostEvent === "beforeSubmitPrompt"
      ? JSON.stringify({ continue: true, additional_context: text })
      : hostEvent === "sessionStart"
        ? JSON.stringify({ additional_context: text })
        : "{}"
}
