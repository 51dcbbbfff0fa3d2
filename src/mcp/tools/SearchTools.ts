import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Search } from "../../bridge/Search.js"
import { HitJson, hitView } from "../../bridge/Views.js"
import { readOnly, tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

export const search = tool({
  name: "bridge_search",
  title: "Search messages",
  description:
    "Search subject and body of your inbox, your channels and live broadcasts; every word must match. Newest first (limit default 20).",
  input: Schema.Struct({ query: Schema.String, limit: Schema.optional(Schema.Int) }),
  output: Schema.Struct({ results: Schema.Array(HitJson) }),
  encoded: true,
  hints: readOnly,
  handler: ({ query, limit }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const found = yield* (yield* Search).search(me.sessionId, query, limit)
      // Encoded here, once per envelope (hitView, held to HitView by its test), and sent as it is (`encoded`).
      return { results: found.map(hitView) }
    })
})
