import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Sessions } from "../../bridge/Sessions.js"
import { sessionView, whoamiView } from "../../bridge/Views.js"
import { tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

export const whoami = tool({
  name: "bridge_whoami",
  description: "Your own session on the bridge: sessionId, label, cwd, provider.",
  input: Schema.Struct({}),
  handler: () => Effect.map(caller, whoamiView)
})

export const listSessions = tool({
  name: "bridge_list_sessions",
  description:
    "Sessions on this machine you can message (online = seen in the last 10 min). includeOffline adds the rest.",
  input: Schema.Struct({ includeOffline: Schema.optional(Schema.Boolean) }),
  handler: ({ includeOffline }) =>
    Effect.gen(function* () {
      yield* caller
      const sessions = yield* Sessions
      return { sessions: (yield* sessions.list({ includeOffline })).map(sessionView) }
    })
})

export const setSummary = tool({
  name: "bridge_set_summary",
  description: "Set a one-line summary of what you are working on; others see it in bridge_list_sessions.",
  input: Schema.Struct({ summary: Schema.String }),
  handler: ({ summary }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const record = yield* (yield* Sessions).setSummary(me.sessionId, summary)
      return { summary: record.summary ?? "" }
    })
})
