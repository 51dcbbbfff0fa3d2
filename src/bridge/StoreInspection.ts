import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { AmbiguousRecipient, ArtifactNotFound, InvalidArgument, MessageNotFound, StoreError } from "../domain/Errors.js"
import { isoOfMillis } from "../domain/IsoTime.js"
import { Layout } from "../domain/Layout.js"
import { ArtifactMeta, MessageEnvelope, SessionRecord } from "../domain/Records.js"
import { isUlid } from "../domain/Ulid.js"
import { MAX_RECORD_BYTES, type StoreShape } from "../services/store/Store.js"
import { CloudLayout } from "../cloud/CloudLayout.js"
import { OutboxEntry } from "../cloud/CloudState.js"
import { MessageRef } from "./Envelopes.js"
import { Pointer } from "./Pointers.js"

/** One stored file as inspect shows it: where it is, and its content decoded by what lives there. */
export interface Located {
  readonly kind: string
  /** Relative to the home. */
  readonly path: string
  readonly absolutePath: string
  readonly size: number
  readonly mode: string
  readonly modified: string
  /** The record decoded through its schema and encoded back; absent when it does not decode. */
  readonly record?: unknown
  /** Why it did not decode, or the raw text of a file without a schema. */
  readonly problem?: string
  readonly raw?: string
}

/** Decodes a file's text through `schema` and encodes it back (normalised JSON), or says why it does not decode. */
const withSchema = <A, I>(kind: string, schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(Schema.parseJson(schema))
  return {
    kind,
    decode: (text: string): Either.Either<unknown, string> =>
      Either.mapBoth(decode(text), {
        onLeft: (e) => ParseResult.TreeFormatter.formatErrorSync(e),
        onRight: (a) => Schema.encodeSync(schema)(a)
      })
  }
}

/** The record kind of a relative path, from the layout. */
const kindOf = (path: string) => {
  const p = path.split("/")
  if (p[0] === Layout.sessionsDir && p.length === 2) return withSchema("session", SessionRecord)
  if (p[0] === Layout.inboxesDir && p.length === 3) return withSchema("message", MessageEnvelope)
  if (p[0] === Layout.broadcastsDir && p.length === 2) return withSchema("broadcast", MessageEnvelope)
  if (p.length === 4 && p.slice(0, 3).join("/") === Layout.channelHistoryDir(p[1]!))
    return withSchema("channel message", MessageEnvelope)
  if (p[0] === Layout.artifactsDir && path.endsWith(".meta.json")) return withSchema("artifact meta", ArtifactMeta)
  if (p[0] === Layout.pointersDir && p.length === 2) return withSchema("pointer", Pointer)
  if (p[0] === Layout.messageRefsDir && p.length === 2) return withSchema("message ref", MessageRef)
  if (p[0] === Layout.remoteSentsDir && p.length === 3) return withSchema("message to a contact", MessageEnvelope)
  // Its `state` is the message's delivery state (queued in outbox/; stored ... read, expired, refused in sent/).
  const cloudDir = `${p[0]}/${p[1]}`
  if ((cloudDir === CloudLayout.outboxDir || cloudDir === CloudLayout.sentDir) && p.length === 3)
    return withSchema(`cloud ${p[1]} entry`, OutboxEntry)
  return undefined
}

const TEXT_LIMIT = 64 * 1024

const cut = (text: string, size: number, read: number) =>
  text.length > TEXT_LIMIT || size > read ? text.slice(0, TEXT_LIMIT) + "\n…" : text

/**
 * Reads and decodes one file (never quarantining it: inspect only looks). Only what can be shown is read: the
 * first 64 KiB of a file without a schema, a record up to the most a record may hold; a larger file is reported
 * as such, never loaded whole.
 */
export const locate = (store: StoreShape, path: string): Effect.Effect<Option.Option<Located>, StoreError> =>
  Effect.gen(function* () {
    const st = yield* store.stat(path)
    if (Option.isNone(st) || st.value.isDirectory) return Option.none()
    if (!st.value.isFile) return yield* new StoreError({ reason: "Unsafe", path, cause: "not a regular file" })
    const base = {
      path,
      absolutePath: `${store.root.replace(/\/$/, "")}/${path}`,
      size: st.value.size,
      mode: (st.value.mode & 0o777).toString(8).padStart(4, "0"),
      modified: isoOfMillis(Math.trunc(st.value.mtimeMs))
    }
    const known = kindOf(path)
    if (path.endsWith(".bin") && path.startsWith(`${Layout.artifactsDir}/`))
      return Option.some({ ...base, kind: "artifact bytes" })
    const head = yield* store.readHead(path, known === undefined ? TEXT_LIMIT : MAX_RECORD_BYTES)
    const bytes = Option.match(head, { onNone: () => new Uint8Array(), onSome: (h) => h.bytes })
    const text = new TextDecoder().decode(bytes)
    const raw = cut(text, base.size, bytes.length)
    if (known === undefined) return Option.some({ ...base, kind: "file", raw })
    if (base.size > bytes.length) {
      const problem = `${base.size} bytes, over the ${MAX_RECORD_BYTES} bytes a record may hold`
      return Option.some({ ...base, kind: known.kind, problem, raw })
    }
    return Option.some(
      Either.match(known.decode(text), {
        onLeft: (problem): Located => ({ ...base, kind: known.kind, problem, raw }),
        onRight: (record): Located => ({ ...base, kind: known.kind, record })
      })
    )
  })

const collect = (store: StoreShape, paths: ReadonlyArray<string>) =>
  Effect.map(
    Effect.forEach(paths, (path) => locate(store, path)),
    (found) => found.flatMap(Option.toArray)
  )

/** Every place a message id is stored: its inbox copies, broadcast, channel history, and its ref. */
const messagePaths = (store: StoreShape, id: string) =>
  Effect.gen(function* () {
    const paths = [Layout.broadcast(id)]
    for (const c of yield* store.list(Layout.channelsDir)) paths.push(Layout.channelMessage(c, id))
    for (const sid of yield* store.list(Layout.inboxesDir)) paths.push(Layout.inboxMessage(sid, id))
    for (const sid of yield* store.list(Layout.remoteSentsDir)) paths.push(Layout.remoteSent(sid, id))
    paths.push(Layout.messageRef(id), CloudLayout.outbox(id), CloudLayout.sent(id))
    return paths
  })

/**
 * Finds what `target` names: a session or message id (or a unique session id prefix), an artifact sha256,
 * or a path (absolute under the home, or relative to it).
 */
export const inspectTarget = (
  store: StoreShape,
  target: string
): Effect.Effect<
  ReadonlyArray<Located>,
  StoreError | ArtifactNotFound | MessageNotFound | AmbiguousRecipient | InvalidArgument
> =>
  Effect.gen(function* () {
    const raw = target.trim()
    if (/^[0-9a-f]{64}$/i.test(raw)) {
      const sha = raw.toLowerCase()
      const found = yield* collect(store, [Layout.artifactMeta(sha), Layout.artifactBytes(sha)])
      if (found.length === 0) return yield* new ArtifactNotFound({ sha256: sha, missing: "artifact" })
      return found
    }
    const upper = raw.toUpperCase()
    if (isUlid(upper)) {
      const found = yield* collect(store, [Layout.session(upper), ...(yield* messagePaths(store, upper))])
      if (found.length === 0) {
        return yield* new MessageNotFound({
          message: `no session, message or broadcast has the id ${upper}`,
          hint: "Expired broadcasts and collected sessions are gone; `session-bridge list-sessions --all` lists sessions."
        })
      }
      return found
    }
    if (/^[0-9A-Za-z]{6,25}$/.test(raw)) {
      const matches = (yield* store.list(Layout.sessionsDir)).filter((n) => n.endsWith(".json") && n.startsWith(upper))
      if (matches.length > 1) {
        return yield* new AmbiguousRecipient({
          prefix: upper,
          live: false,
          candidates: matches.map((n) => ({ sessionId: n.slice(0, -".json".length) }))
        })
      }
      if (matches.length === 1) return yield* collect(store, [`${Layout.sessionsDir}/${matches[0]}`])
    }
    const root = store.root.replace(/\/$/, "")
    const relative = raw.startsWith("/")
      ? raw.startsWith(root + "/")
        ? raw.slice(root.length + 1)
        : undefined
      : raw.replace(/^\.\//, "")
    if (relative === undefined) {
      return yield* new InvalidArgument({
        message: `${raw} is not under the bridge home ${root}`,
        hint: "Pass an id, a sha256, or a path under $SESSION_BRIDGE_HOME."
      })
    }
    const found = yield* locate(store, relative).pipe(
      Effect.catchIf(
        (e) => e.code === "INVALID_NAME",
        () => Effect.succeed(Option.none())
      )
    )
    if (Option.isNone(found)) {
      return yield* new InvalidArgument({
        message: `nothing stored at ${JSON.stringify(raw.slice(0, 200))}`,
        hint: "Pass a message id, session id, sha256, or a file path under the bridge home."
      })
    }
    return [found.value]
  })
