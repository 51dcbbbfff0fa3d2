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
 * opencode (verified with 1.18.33) has no command hooks: an in-process plugin (written by `init` into
 * opencode's plugin folder) runs this command and turns the reply into context. The shim protocol:
 *
 *   event `session.created`  → `hook SessionStart     --provider opencode`  stdin `{"sessionID":"ses_…","cwd":"/abs"}`
 *   hook  `chat.message`     → `hook UserPromptSubmit --provider opencode`  stdin `{"sessionID":"ses_…","cwd":"/abs"}`
 *   event `session.idle`     → `hook Stop             --provider opencode`  (same stdin)
 *   event `session.deleted`  → `hook SessionEnd       --provider opencode`  (same stdin)
 *
 * stdout is one JSON object: `{"context":"<text>"}` when there is something to add, else `{}` (a shim must
 * also treat an empty or unparsable stdout as nothing). The plugin pushes the text as a synthetic text part
 * carrying `id` (`prt_…`), `sessionID` and `messageID` (`output.message.id`). `session_id` is accepted
 * in place of `sessionID`, and opencode's own event names are accepted as aliases.
 */
const Payload = () =>
  Schema.Struct({
    sessionID: OptionalText,
    session_id: OptionalText,
    cwd: OptionalText,
    directory: OptionalText
  })

export const opencode: HostAdapter = {
  id: "opencode",
  install: CLAUDE_EVENTS,
  events: {
    ...eventTable(CLAUDE_EVENTS),
    "session.created": "start",
    "chat.message": "prompt",
    "session.idle": "turn-end",
    "session.deleted": "end"
  },
  // Milliseconds, for the shim's own spawnSync timeout (opencode applies none to plugins).
  hostTimeout: () => ({ value: 10_000, unit: "ms" }),
  sessionIdEnv: [],
  cwdEnv: [],
  surfaceOn: ["prompt"],
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.sessionID) ?? nonBlank(p.session_id),
    cwd: nonBlank(p.cwd) ?? nonBlank(p.directory)
  })),
  emptyReply: shimReply.empty,
  contextReply: shimReply.context
}
