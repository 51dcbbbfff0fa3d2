import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import { Artifacts } from "../bridge/Artifacts.js"
import { MAX_BODY_BYTES } from "../bridge/Limits.js"
import { ArtifactTooLarge, BodyTooLarge, type BridgeFailure, InvalidArgument } from "../domain/Errors.js"
import type { SessionRecord } from "../domain/Records.js"
import { HostEnv } from "../services/HostEnv.js"
import { usageError } from "./Runtime.js"
import { Stdin } from "../services/Stdin.js"

/**
 * The message body: --body, or --body-file (a path, or `-` for standard input). Standard input is read only when
 * asked for with `--body-file -`, as gh does: a command in a pipeline or a `while read` loop never waits on an
 * open stdin nor eats the loop's input.
 */
export const bodyOptions = {
  body: Options.text("body").pipe(Options.withDescription("The message body (at most 64 KiB)"), Options.optional),
  bodyFile: Options.file("body-file").pipe(
    Options.withDescription("Read the body from this UTF-8 file; `-` reads standard input"),
    Options.optional
  )
}

export const artifactOption = Options.file("artifact").pipe(
  Options.withDescription("Attach a file as an artifact (repeatable); its sha256 goes with the message"),
  Options.repeated
)

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const fileError = (path: string, what: string) => (e: { readonly message: string }) =>
  new InvalidArgument({
    message: `cannot read ${what} ${path}: ${e.message}`,
    hint: "Check the path and that you can read the file."
  })

/** An absolute path for a path given on the command line (relative to the working directory). */
const absolute = (raw: string) =>
  Effect.map(Effect.all([Path.Path, HostEnv]), ([path, host]) => path.resolve(host.cwd, raw))

/** Reads a whole file after checking its size against `max` (so a huge file is refused before it is read). */
const readCapped = (raw: string, what: string, max: number, tooLarge: (size: number) => BridgeFailure) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* absolute(raw)
    const info = yield* fs.stat(path).pipe(Effect.mapError(fileError(path, what)))
    if (info.type !== "File")
      return yield* new InvalidArgument({
        message: `${what} ${path} is not a regular file`,
        hint: "Pass a file, not a directory."
      })
    if (Number(info.size) > max) return yield* tooLarge(Number(info.size))
    return { path, bytes: yield* fs.readFile(path).pipe(Effect.mapError(fileError(path, what))) }
  })

/** Resolves the body from the options (empty when none is given); at most one source may be given. */
export const readBody = (options: { readonly body: Option.Option<string>; readonly bodyFile: Option.Option<string> }) =>
  Effect.gen(function* () {
    if (Option.isSome(options.body) && Option.isSome(options.bodyFile)) {
      return yield* usageError("--body and --body-file cannot both be given", "Pick one source for the body.")
    }
    if (Option.isSome(options.body)) return options.body.value
    if (Option.isSome(options.bodyFile) && options.bodyFile.value === "-")
      return yield* Effect.flatMap(Stdin, (stdin) => stdin.readAll(MAX_BODY_BYTES))
    if (Option.isSome(options.bodyFile)) {
      const tooLarge = (size: number) => new BodyTooLarge({ source: "bodyFile", size, limit: MAX_BODY_BYTES })
      const { path, bytes } = yield* readCapped(options.bodyFile.value, "body file", MAX_BODY_BYTES, tooLarge)
      return yield* Effect.try({
        try: () => strictUtf8.decode(bytes),
        catch: () =>
          new InvalidArgument({
            message: `body file ${path} is not UTF-8 text`,
            hint: "Send binary content as an attachment: --artifact <path>."
          })
      })
    }
    return ""
  })

const MIME: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  ts: "application/typescript",
  py: "text/x-python; charset=utf-8",
  sh: "application/x-sh",
  yaml: "application/x-yaml",
  yml: "application/x-yaml",
  toml: "application/toml",
  xml: "application/xml",
  svg: "image/svg+xml",
  diff: "text/x-diff; charset=utf-8",
  patch: "text/x-diff; charset=utf-8",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip"
}

/** Posts each file as an artifact (deduplicated by content) and returns their sha256s, in order. */
export const postArtifacts = (paths: ReadonlyArray<string>, from: SessionRecord) =>
  Effect.forEach(paths, (raw) =>
    Effect.gen(function* () {
      const artifacts = yield* Artifacts
      const pathApi = yield* Path.Path
      const tooLarge = (size: number) => new ArtifactTooLarge({ file: raw, size, limit: artifacts.maxBytes })
      const { path, bytes } = yield* readCapped(raw, "artifact", artifacts.maxBytes, tooLarge)
      const name = pathApi.basename(path)
      const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : ""
      const text = Option.liftThrowable(() => strictUtf8.decode(bytes))()
      const mimeType = MIME[ext] ?? (Option.isSome(text) ? "text/plain; charset=utf-8" : "application/octet-stream")
      const posted = yield* artifacts.post({
        content: Option.isSome(text) ? { text: text.value } : { base64: Encoding.encodeBase64(bytes) },
        name,
        mimeType,
        postedBy: from.sessionId
      })
      return posted.meta
    })
  )
