import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { InvalidArgument, isBridgeFailure } from "../domain/Errors.js"
import { MessageKind } from "../domain/Records.js"
import { PAGE_SCRIPT } from "./assets/Script.js"
import { PAGE_STYLE } from "./assets/Style.js"
import { pageHtml } from "./assets/Page.js"
import { Dashboard } from "./Dashboard.js"
import { ARTIFACT_CSP, BASE_HEADERS, errorResponse, jsonResponse, PAGE_CSP } from "./Http.js"
import { ChangeFeed } from "./Live.js"

const Limit = Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)))

const MessageQuery = Schema.Struct({
  session: Schema.optional(Schema.String),
  channel: Schema.optional(Schema.String),
  kind: Schema.optional(MessageKind),
  limit: Limit
})

const SearchQuery = Schema.Struct({ q: Schema.String, limit: Limit })
const ArtifactQuery = Schema.Struct({ download: Schema.optional(Schema.String) })

/** Decoded query parameters, or INVALID_ARGUMENT. */
const query = <A, I extends Readonly<Record<string, string | ReadonlyArray<string> | undefined>>>(
  schema: Schema.Schema<A, I>
) =>
  HttpServerRequest.schemaSearchParams(schema).pipe(
    Effect.mapError(() => new InvalidArgument({ message: "bad query parameters" }))
  )

const pathParam = (name: string) =>
  Effect.flatMap(HttpRouter.params, (p) => {
    const value = p[name]
    return value === undefined
      ? Effect.fail(new InvalidArgument({ message: `missing ${name}` }))
      : Effect.succeed(value)
  })

const asset = (body: string, contentType: string) =>
  Effect.succeed(
    HttpServerResponse.text(body, {
      contentType,
      headers: { ...BASE_HEADERS, "content-security-policy": PAGE_CSP }
    })
  )

/** Image types the page previews inline; everything else is shown as text or offered as a download. */
const IMAGE_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
  "image/svg+xml"
])
export const isPreviewableImage = (mime: string) => IMAGE_TYPES.has(mime.toLowerCase())
export const isText = (mime: string) => {
  const m = mime.toLowerCase()
  return (
    m.startsWith("text/") ||
    m === "application/json" ||
    m.endsWith("+json") ||
    m === "application/xml" ||
    m.endsWith("+xml")
  )
}

const TEXT_PREVIEW_BYTES = 64 * 1024

const safeFileName = (name: string | undefined, sha: string) =>
  (name ?? sha.slice(0, 12)).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "artifact"

const events = (stopping: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const feed = yield* ChangeFeed
    const body = Stream.unwrapScoped(
      Effect.map(feed.subscribe, (changes) =>
        Stream.concat(
          Stream.make("retry: 1000\nevent: hello\ndata: {}\n\n"),
          Stream.merge(
            changes.pipe(Stream.map((batch) => `event: change\ndata: ${JSON.stringify(batch)}\n\n`)),
            Stream.tick("15 seconds").pipe(Stream.map(() => ": ping\n\n"))
          )
        )
      )
    ).pipe(Stream.interruptWhen(stopping), Stream.encodeText)
    return HttpServerResponse.stream(body, {
      contentType: "text/event-stream",
      headers: { ...BASE_HEADERS, "x-accel-buffering": "no" }
    })
  })

/** Every route of the dashboard; all are GET and none changes state. */
export const router = (options: { readonly token: string; readonly stopping: Effect.Effect<void> }) =>
  HttpRouter.empty.pipe(
    HttpRouter.get("/", asset(pageHtml(options.token), "text/html; charset=utf-8")),
    HttpRouter.get("/app.js", asset(PAGE_SCRIPT, "text/javascript; charset=utf-8")),
    HttpRouter.get("/app.css", asset(PAGE_STYLE, "text/css; charset=utf-8")),
    HttpRouter.get("/events", events(options.stopping)),
    HttpRouter.get(
      "/api/sessions",
      Effect.flatMap(Dashboard, (d) => d.sessions).pipe(Effect.map((sessions) => jsonResponse({ sessions })))
    ),
    HttpRouter.get(
      "/api/messages",
      Effect.gen(function* () {
        const q = yield* query(MessageQuery)
        const d = yield* Dashboard
        const messages = yield* d.messages({
          session: q.session,
          channel: q.channel,
          kind: q.kind,
          limit: q.limit ?? 200
        })
        return jsonResponse({ messages })
      })
    ),
    HttpRouter.get(
      "/api/threads/:threadId",
      Effect.gen(function* () {
        const id = yield* pathParam("threadId")
        const messages = yield* Effect.flatMap(Dashboard, (d) => d.thread(id))
        return jsonResponse({ threadId: messages[0]?.threadId ?? id, messages })
      })
    ),
    HttpRouter.get(
      "/api/broadcasts",
      Effect.flatMap(Dashboard, (d) => d.broadcasts).pipe(Effect.map((broadcasts) => jsonResponse({ broadcasts })))
    ),
    HttpRouter.get(
      "/api/channels",
      Effect.flatMap(Dashboard, (d) => d.channels).pipe(Effect.map((channels) => jsonResponse({ channels })))
    ),
    HttpRouter.get(
      "/api/artifacts",
      Effect.flatMap(Dashboard, (d) => d.artifacts).pipe(Effect.map((artifacts) => jsonResponse({ artifacts })))
    ),
    HttpRouter.get(
      "/api/artifacts/:sha/preview",
      Effect.gen(function* () {
        const sha = yield* pathParam("sha")
        const { bytes, view } = yield* Effect.flatMap(Dashboard, (d) => d.artifact(sha))
        const text = isText(view.mimeType)
          ? new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, TEXT_PREVIEW_BYTES))
          : undefined
        return jsonResponse({
          artifact: view,
          preview: isPreviewableImage(view.mimeType) ? "image" : text !== undefined ? "text" : "none",
          text,
          truncated: text !== undefined && bytes.length > TEXT_PREVIEW_BYTES
        })
      })
    ),
    HttpRouter.get(
      "/api/artifacts/:sha/raw",
      Effect.gen(function* () {
        const sha = yield* pathParam("sha")
        const q = yield* query(ArtifactQuery)
        const { bytes, view } = yield* Effect.flatMap(Dashboard, (d) => d.artifact(sha))
        const download = q.download !== undefined
        const contentType = isPreviewableImage(view.mimeType)
          ? view.mimeType.toLowerCase()
          : isText(view.mimeType)
            ? "text/plain; charset=utf-8"
            : "application/octet-stream"
        return HttpServerResponse.uint8Array(bytes, {
          contentType,
          headers: {
            ...BASE_HEADERS,
            "content-security-policy": ARTIFACT_CSP,
            "content-disposition": `${download ? "attachment" : "inline"}; filename="${safeFileName(view.name, sha)}"`
          }
        })
      })
    ),
    HttpRouter.get(
      "/api/search",
      Effect.gen(function* () {
        const q = yield* query(SearchQuery)
        if (q.q.trim() === "") return jsonResponse({ query: q.q, messages: [] })
        const messages = yield* Effect.flatMap(Dashboard, (d) => d.search(q.q, q.limit ?? 50))
        return jsonResponse({ query: q.q, messages })
      })
    ),
    Effect.catchIf(isBridgeFailure, (e) => Effect.succeed(errorResponse(e))),
    Effect.catchTag("RouteNotFound", () =>
      Effect.succeed(jsonResponse({ code: "NOT_FOUND", message: "no such page", hint: "" }, 404))
    )
  )
