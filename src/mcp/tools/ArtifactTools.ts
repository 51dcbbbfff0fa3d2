import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Artifacts } from "../../bridge/Artifacts.js"
import { bridgeError } from "../../domain/Errors.js"
import { tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

export const postArtifact = tool({
  name: "bridge_post_artifact",
  description:
    "Store a file for others (content-addressed, max 10 MiB by default): pass text or contentBase64. Returns its sha256 to put in a message's artifacts.",
  input: Schema.Struct({
    text: Schema.optional(Schema.String),
    contentBase64: Schema.optional(Schema.String),
    name: Schema.optional(Schema.String),
    mimeType: Schema.optional(Schema.String)
  }),
  handler: (args) =>
    Effect.gen(function* () {
      const me = yield* caller
      if ((args.text === undefined) === (args.contentBase64 === undefined)) {
        return yield* bridgeError(
          "INVALID_ARGUMENT",
          "pass exactly one of text or contentBase64",
          "Use text for UTF-8 content, contentBase64 for bytes."
        )
      }
      const content = args.text !== undefined ? { text: args.text } : { base64: args.contentBase64 ?? "" }
      const posted = yield* (yield* Artifacts).post({
        content,
        name: args.name,
        mimeType: args.mimeType,
        postedBy: me.sessionId
      })
      return { sha256: posted.meta.sha256, size: posted.meta.size, deduped: posted.deduped }
    })
})

export const getArtifact = tool({
  name: "bridge_get_artifact",
  description: "Fetch an artifact's bytes by sha256, as text or base64 (default: text for text types, else base64).",
  input: Schema.Struct({ sha256: Schema.String, encoding: Schema.optional(Schema.Literal("text", "base64")) }),
  handler: ({ sha256, encoding }) =>
    Effect.gen(function* () {
      yield* caller
      const got = yield* (yield* Artifacts).get(sha256, encoding)
      return {
        sha256: got.meta.sha256,
        size: got.meta.size,
        ...(got.meta.name !== undefined ? { name: got.meta.name } : {}),
        mimeType: got.meta.mimeType,
        encoding: got.encoding,
        content: got.content
      }
    })
})
