import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Sessions } from "../../bridge/Sessions.js"
import { collisionWarning, labelTwins } from "../../bridge/LabelCollisions.js"
import { RemoteSends } from "../../bridge/RemoteSends.js"
import { optional, ReachedView, RemoteSessionView, SessionView, WhoamiView } from "../../bridge/Views.js"
import { NoArguments, readOnly, tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

export const whoami = tool({
  name: "bridge_whoami",
  title: "Who am I",
  description:
    "Your own session on the bridge: sessionId, label, cwd, provider. labelShared and warning appear when another live session has your label.",
  input: NoArguments,
  output: Schema.Struct({
    ...WhoamiView.fields,
    labelShared: optional(Schema.Array(ReachedView)),
    warning: optional(Schema.String)
  }),
  hints: readOnly,
  handler: () =>
    Effect.gen(function* () {
      const me = yield* caller
      const twins = yield* labelTwins(yield* Sessions, me)
      return twins.length === 0 ? me : { ...me, labelShared: twins, warning: collisionWarning(me, twins) }
    })
})

export const listSessions = tool({
  name: "bridge_list_sessions",
  title: "List sessions",
  description:
    'Sessions you can message (online = seen in the last 10 min); includeOffline adds the rest. Contacts\' live sessions have origin "remote" and contact.',
  input: Schema.Struct({ includeOffline: Schema.optional(Schema.Boolean) }),
  output: Schema.Struct({ sessions: Schema.Array(Schema.Union(RemoteSessionView, SessionView)) }),
  hints: readOnly,
  handler: ({ includeOffline }) =>
    Effect.gen(function* () {
      yield* caller
      const sessions = yield* Sessions
      const list = yield* sessions.list({ includeOffline })
      const remote = yield* (yield* RemoteSends).sessions
      return {
        sessions: [
          ...list.map((s) => ({ ...s.record, online: s.online })),
          ...remote.map((r) => ({
            origin: "remote" as const,
            contact: r.contact,
            label: r.label,
            provider: r.cli,
            cwd: r.cwd,
            since: r.since,
            lastSeen: r.lastSeen,
            online: true
          }))
        ]
      }
    })
})

export const setSummary = tool({
  name: "bridge_set_summary",
  title: "Set summary",
  description: "Set a one-line summary of what you are working on; others see it in bridge_list_sessions.",
  input: Schema.Struct({ summary: Schema.String }),
  output: Schema.Struct({ summary: Schema.String }),
  // It replaces the summary set before.
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  handler: ({ summary }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const record = yield* (yield* Sessions).setSummary(me.sessionId, summary)
      return { summary: record.summary ?? "" }
    })
})
