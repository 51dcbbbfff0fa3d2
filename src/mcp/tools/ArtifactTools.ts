import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { base64Chunk, isUtf8, textChunk } from "../../bridge/ArtifactChunks.js"
import { Artifacts, isTextLike } from "../../bridge/Artifacts.js"
import { optional } from "../../bridge/Views.js"
import { InvalidArgument } from "../../domain/Errors.js"
import { readOnly, tool } from "../ToolDef.js"
import { successResult } from "../ToolResult.js"
import { caller } from "./Caller.js"

export const postArtifact = tool({
  name: "bridge_post_artifact",
  title: "Post artifact",
  description:
    "Store a file for others (content-addressed, max 10 MiB by default): pass text or contentBase64. Returns its sha256 to put in a message's artifacts.",
  input: Schema.Struct({
    text: Schema.optional(Schema.String),
    contentBase64: Schema.optional(Schema.String),
    name: Schema.optional(Schema.String),
    mimeType: Schema.optional(Schema.String)
  }),
  output: Schema.Struct({ sha256: Schema.String, size: Schema.Number, deduped: Schema.Boolean }),
  // Content-addressed: the same bytes posted again are stored once, under the same sha256.
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: (args) =>
    Effect.gen(function* () {
      const me = yield* caller
      if ((args.text === undefined) === (args.contentBase64 === undefined)) {
        return yield* new InvalidArgument({
          message: "pass exactly one of text or contentBase64",
          hint: "Use text for UTF-8 content, contentBase64 for bytes."
        })
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

/**
 * The most a bridge_get_artifact reply may put on one stdout line: well under the 10 MiB an MCP SDK client
 * buffers by default, whatever the bytes (see docs/adr/0008-artifact-ranged-reads.md).
 */
export const MAX_REPLY_LINE_BYTES = 4 * 1024 * 1024
/** Room for the JSON-RPC envelope around the result. */
const ENVELOPE_BYTES = 512
const utf8 = new TextEncoder()

export const getArtifact = tool({
  name: "bridge_get_artifact",
  title: "Get artifact",
  description:
    "Fetch an artifact's bytes by sha256, as text or base64 (default: text for text types, else base64). A large one comes in pieces: when the reply has nextOffset, call again with offset: nextOffset.",
  input: Schema.Struct({
    sha256: Schema.String,
    encoding: Schema.optional(Schema.Literal("text", "base64")),
    offset: Schema.optional(Schema.NonNegativeInt),
    length: Schema.optional(Schema.Int.pipe(Schema.positive()))
  }),
  output: Schema.Struct({
    sha256: Schema.String,
    size: Schema.Number,
    name: optional(Schema.String),
    mimeType: Schema.String,
    encoding: Schema.Literal("text", "base64"),
    offset: Schema.Number,
    length: Schema.Number,
    nextOffset: optional(Schema.Number),
    content: Schema.String
  }),
  hints: readOnly,
  handler: ({ sha256, encoding, offset, length }) =>
    Effect.gen(function* () {
      yield* caller
      const artifacts = yield* Artifacts
      const meta = yield* artifacts.meta(sha256)
      const data = yield* artifacts.bytes(meta.sha256)
      const wanted = encoding ?? (isTextLike(meta.mimeType) ? "text" : "base64")
      if (wanted === "text" && !isUtf8(data))
        return yield* new InvalidArgument({
          message: `artifact ${meta.sha256} is not valid UTF-8 text`,
          hint: 'Ask for encoding "base64".'
        })
      const head = {
        sha256: meta.sha256,
        size: meta.size,
        ...(meta.name !== undefined ? { name: meta.name } : {}),
        mimeType: meta.mimeType,
        encoding: wanted
      }
      const widest = { ...head, offset: data.length, length: data.length, nextOffset: data.length, content: "" }
      const overhead = utf8.encode(JSON.stringify(successResult(widest))).length + ENVELOPE_BYTES
      // The content goes out twice, as structuredContent and escaped once more in the text block; the budget
      // counts the twice-escaped copy, which is never shorter than the other, so half the room is enough for each.
      const request = { offset: offset ?? 0, length, budget: Math.floor((MAX_REPLY_LINE_BYTES - overhead) / 2) }
      const chunk = yield* wanted === "text" ? textChunk(data, request) : base64Chunk(data, request)
      const next = chunk.offset + chunk.length
      return {
        ...head,
        offset: chunk.offset,
        length: chunk.length,
        nextOffset: next < data.length ? next : undefined,
        content: chunk.content
      }
    })
})
