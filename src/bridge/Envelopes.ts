import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import { type BridgeError, bridgeError, toBridgeError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { MessageEnvelope } from "../domain/Records.js"
import { MessageId } from "../domain/Ulid.js"
import { createJson, readJson } from "../services/Documents.js"
import { Ids } from "../services/Ids.js"
import { Store } from "../services/Store.js"

/** refs/<id>.json — claimed exclusively when a message is sent: its canonical copy and its thread. */
export const MessageRef = Schema.Struct({ v: Schema.Literal(1), path: Schema.String, threadId: MessageId })
export type MessageRef = typeof MessageRef.Type

export interface ClaimedId {
  readonly id: MessageId
  readonly threadId: MessageId
  readonly path: string
}

/** One decoded envelope file, with its lowercased subject and body for matching. */
export interface StoredEnvelope {
  readonly path: string
  readonly envelope: MessageEnvelope
  readonly text: string
}

/**
 * Envelope files (inbox copies, channel history, broadcasts) read through a per-process cache. Envelope
 * files are immutable once created, so a decoded one stays valid while its name is listed. A directory
 * listing is reused while the directory's mtime is unchanged and older than MTIME_TRUST_MS.
 */
export interface EnvelopesShape {
  /** Entry names of a directory, sorted (cached as described). */
  readonly list: (dir: string) => Effect.Effect<ReadonlyArray<string>, BridgeError>
  readonly read: (path: string) => Effect.Effect<Option.Option<MessageEnvelope>, BridgeError>
  /** Every decodable envelope of a directory, oldest first (by file name, a ULID). */
  readonly readDir: (dir: string) => Effect.Effect<ReadonlyArray<StoredEnvelope>, BridgeError>
  /** Creates the file only if absent; true when created. */
  readonly create: (path: string, envelope: MessageEnvelope) => Effect.Effect<boolean, BridgeError>
  /**
   * A fresh message id no other process holds: refs/<id>.json is created exclusively, retrying with a new id
   * on collision. `path` is where the canonical copy will be written; `threadId` defaults to the id itself.
   */
  readonly claimId: (pathFor: (id: MessageId) => string, threadId?: MessageId | undefined) => Effect.Effect<ClaimedId, BridgeError>
  /** Records a message under its thread (threads/<threadId>/<id>, holding the canonical path). */
  readonly indexThread: (claimed: ClaimedId) => Effect.Effect<void, BridgeError>
  readonly ref: (id: string) => Effect.Effect<Option.Option<MessageRef>, BridgeError>
  /** Canonical paths of a thread's messages, oldest first. */
  readonly threadPaths: (threadId: string) => Effect.Effect<ReadonlyArray<string>, BridgeError>
}

export class Envelopes extends Context.Tag("session-bridge/Envelopes")<Envelopes, EnvelopesShape>() {}

/** A directory mtime this much older than the listing time is trusted (covers 1 s mtime granularity). */
export const MTIME_TRUST_MS = 2000
const MAX_CACHED = 200_000

const stored = (path: string, envelope: MessageEnvelope): StoredEnvelope => ({
  path,
  envelope,
  text: `${envelope.subject}\n${envelope.body}`.toLowerCase()
})

export const make = Effect.gen(function* () {
  const store = yield* Store
  const ids = yield* Ids
  const files = new Map<string, StoredEnvelope>()
  const dirs = new Map<string, { readonly mtimeMs: number; readonly listedAt: number; readonly names: ReadonlyArray<string> }>()

  const list = (dir: string) =>
    Effect.gen(function* () {
      const st = yield* store.stat(dir)
      if (Option.isNone(st)) {
        dirs.delete(dir)
        return []
      }
      const mtimeMs = st.value.mtimeMs
      const cached = dirs.get(dir)
      if (cached !== undefined && mtimeMs > 0 && cached.mtimeMs === mtimeMs && cached.listedAt - mtimeMs > MTIME_TRUST_MS) {
        return cached.names
      }
      const listedAt = yield* Clock.currentTimeMillis
      const names = yield* store.list(dir)
      dirs.set(dir, { mtimeMs, listedAt, names })
      return names
    }).pipe(Effect.mapError(toBridgeError))

  const readStored = (path: string) =>
    Effect.gen(function* () {
      const hit = files.get(path)
      if (hit !== undefined) return Option.some(hit)
      const decoded = yield* readJson(path, MessageEnvelope).pipe(Effect.provideService(Store, store))
      if (Option.isNone(decoded)) return Option.none<StoredEnvelope>()
      if (files.size >= MAX_CACHED) files.clear()
      const entry = stored(path, decoded.value)
      files.set(path, entry)
      return Option.some(entry)
    }).pipe(Effect.mapError(toBridgeError))

  /** The last result per directory, keyed by the listing it was built from (same array = same result). */
  const results = new Map<string, { readonly names: ReadonlyArray<string>; readonly byName: Map<string, StoredEnvelope>; readonly out: ReadonlyArray<StoredEnvelope> }>()

  const readDir = (dir: string) =>
    Effect.gen(function* () {
      const names = yield* list(dir)
      const previous = results.get(dir)
      if (previous !== undefined && previous.names === names) return previous.out
      const known = previous?.byName ?? new Map<string, StoredEnvelope>()
      const jsonNames = names.filter((n) => n.endsWith(".json"))
      const missing = jsonNames.filter((n) => !known.has(n))
      const loaded = yield* Effect.forEach(missing, (n) => readStored(`${dir}/${n}`), { concurrency: 16 })
      const byName = new Map<string, StoredEnvelope>()
      const out: Array<StoredEnvelope> = []
      let j = 0
      for (const n of jsonNames) {
        const hit = known.get(n) ?? (missing[j] === n ? Option.getOrUndefined(loaded[j++]!) : undefined)
        if (hit === undefined) continue
        byName.set(n, hit)
        out.push(hit)
      }
      results.set(dir, { names, byName, out })
      return out
    })

  const claimId = (pathFor: (id: MessageId) => string, threadId?: MessageId) =>
    Effect.gen(function* () {
      for (let attempt = 0; attempt < 8; attempt++) {
        const id = yield* Schema.decode(MessageId)(yield* ids.next).pipe(Effect.orDie)
        const claimed = { id, threadId: threadId ?? id, path: pathFor(id) }
        const ref: MessageRef = { v: 1, path: claimed.path, threadId: claimed.threadId }
        if (yield* createJson(Layout.messageRef(id), MessageRef, ref).pipe(Effect.provideService(Store, store))) return claimed
        yield* Effect.logDebug(`message id ${id} already taken; retrying`)
      }
      return yield* bridgeError("INTERNAL", "could not claim a fresh message id after 8 attempts", "Retry; if it persists run `session-bridge doctor`.")
    }).pipe(Effect.mapError((e) => (e._tag === "BridgeError" ? e : toBridgeError(e))))

  const isId = Schema.is(MessageId)

  return Envelopes.of({
    claimId,
    indexThread: (c) => store.write(Layout.threadMarker(c.threadId, c.id), c.path).pipe(Effect.mapError(toBridgeError)),
    ref: (id) =>
      isId(id)
        ? readJson(Layout.messageRef(id), MessageRef).pipe(Effect.provideService(Store, store), Effect.mapError(toBridgeError))
        : Effect.succeed(Option.none()),
    threadPaths: (threadId) =>
      isId(threadId)
        ? Effect.gen(function* () {
            const dir = Layout.threadDir(threadId)
            const names = yield* store.list(dir)
            const paths = yield* Effect.forEach(names, (n) => store.readText(`${dir}/${n}`), { concurrency: 16 })
            return paths.flatMap(Option.toArray)
          }).pipe(Effect.mapError(toBridgeError))
        : Effect.succeed([]),
    list,
    read: (path) => Effect.map(readStored(path), Option.map((s) => s.envelope)),
    readDir,
    create: (path, envelope) =>
      createJson(path, MessageEnvelope, envelope).pipe(
        Effect.provideService(Store, store),
        Effect.tap((created) => Effect.sync(() => created && files.set(path, stored(path, envelope)))),
        Effect.mapError(toBridgeError)
      )
  })
})

export const layer: Layer.Layer<Envelopes, never, Store | Ids> = Layer.effect(Envelopes, make)
