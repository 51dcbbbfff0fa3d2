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
 * Cline CLI (verified with 3.0.65). Its file hooks cannot add context at prompt time (they run detached), so an
 * in-process plugin (written by `init` into ~/.cline/plugins/) runs this command from `beforeRun` and returns
 * the reply as `{ appendContext }`. The shim protocol:
 *
 *   plugin `beforeRun`          → `hook UserPromptSubmit --provider cline`  stdin `{"taskId":"<conversationId>","cwd":"/abs"}`
 *   plugin first run of a task  → `hook SessionStart     --provider cline`  (same stdin)
 *   plugin `afterRun`           → `hook Stop             --provider cline`  (same stdin)
 *
 * stdout is `{"context":"<text>"}` or `{}` (a shim treats empty or unparsable stdout as nothing). Cline's own
 * file-hook payload (`taskId`, `workspaceRoots`, `workspaceInfo.rootPath`) and event names (TaskStart,
 * TaskResume, TaskComplete, SessionShutdown) are accepted too; `{"context":T}` is also a valid file-hook reply.
 */
const Payload = () =>
  Schema.Struct({
    taskId: OptionalText,
    conversationId: OptionalText,
    session_id: OptionalText,
    cwd: OptionalText,
    workspaceRoots: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
    workspaceInfo: Schema.optional(Schema.NullOr(Schema.Struct({ rootPath: OptionalText })))
  })

export const cline: HostAdapter = {
  id: "cline",
  install: CLAUDE_EVENTS,
  events: {
    ...eventTable(CLAUDE_EVENTS),
    TaskStart: "start",
    TaskResume: "start",
    TaskComplete: "turn-end",
    SessionShutdown: "end"
  },
  // Milliseconds, for the plugin's spawnSync timeout (Cline's own hook subprocess default is 30 s).
  hostTimeout: () => ({ value: 10_000, unit: "ms" }),
  sessionIdEnv: [],
  cwdEnv: [],
  surfaceOn: ["prompt"],
  decode: decoder(Payload, (p) => ({
    hostSessionId: nonBlank(p.taskId) ?? nonBlank(p.conversationId) ?? nonBlank(p.session_id),
    cwd: nonBlank(p.cwd) ?? nonBlank(p.workspaceInfo?.rootPath) ?? nonBlank(p.workspaceRoots?.[0]),
    resumed: false
  })),
  emptyReply: shimReply.empty,
  contextReply: shimReply.context
}
