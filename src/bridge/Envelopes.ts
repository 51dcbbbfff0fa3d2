import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Internal, type StoreError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { plainEnvelope, plainEnvelopeJson } from "../domain/PlainEnvelope.js"
import { MessageEnvelope } from "../domain/Records.js"
import { MessageId } from "../domain/Ulid.js"
import { createJson, encodeJson, readJson, readJsonIn, readJsonsIn } from "../services/store/Documents.js"
import { Ids } from "../services/Ids.js"
import { Store, type StoreFile } from "../services/store/Store.js"
import { stillCurrent } from "./MtimeTrust.js"

/** refs/<id>.json — claimed exclusively when a message is sent: its canonical copy and its thread. */
export const MessageRef = Schema.Struct({ v: Schema.Literal(1), path: Schema.String, threadId: MessageId })
export type MessageRef = typeof MessageRef.Type

export interface PublishInput<E = never> {
  /** The thread to join (a reply); a new message starts its own thread (threadId = id). */
  readonly threadId?: MessageId | undefined
  /** Where the canonical copy lives (a recipient's inbox, the channel history, broadcasts/). */
  readonly canonical: (id: MessageId) => string
  /** Further copies, e.g. each channel member's inbox. */
  readonly copies?: ((id: MessageId) => ReadonlyArray<string>) | undefined
  readonly build: (id: MessageId, threadId: MessageId) => MessageEnvelope
  /**
   * Files that go with the message, created after its copies and ref in the same batch (a message to a contact:
   * its outbox entry). Visible only once the copies and the ref are.
   */
  readonly alongside?: ((envelope: MessageEnvelope) => Effect.Effect<ReadonlyArray<StoreFile>, E>) | undefined
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
 * listing is reused while the directory's mtime is unchanged and was older than mtimeTrustMs when listed.
 */
export interface EnvelopesShape {
  /** Entry names of a directory, sorted (cached as described). */
  readonly list: (dir: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
  readonly read: (path: string) => Effect.Effect<Option.Option<MessageEnvelope>, StoreError>
  /** `read` for several paths at once (uncached ones in one store call), in the same order. */
  readonly readMany: (
    paths: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<Option.Option<MessageEnvelope>>, StoreError>
  /** Every decodable envelope of a directory, oldest first (by file name, a ULID). */
  readonly readDir: (dir: string) => Effect.Effect<ReadonlyArray<StoredEnvelope>, StoreError>
  /** Creates the file only if absent; true when created. */
  readonly create: (path: string, envelope: MessageEnvelope) => Effect.Effect<boolean, StoreError>
  /**
   * Writes a new message under an id no other process holds, in one `createExclusiveAll`: the canonical copy and
   * every other copy first (a waiting recipient sees its copy as soon as it is linked), then the id's ref
   * (refs/<id>.json), for a reply its thread marker, then the `alongside` files; the call returns once all are
   * fsynced, their flushes waited for together. On a collision what this attempt created is removed and a new id
   * is tried.
   */
  readonly publish: <E = never>(input: PublishInput<E>) => Effect.Effect<MessageEnvelope, StoreError | Internal | E>
  /** Stores a prepared envelope at `path` (e.g. a remote message); false when that file already exists. */
  readonly deliver: (path: string, envelope: MessageEnvelope) => Effect.Effect<boolean, StoreError>
  readonly ref: (id: string) => Effect.Effect<Option.Option<MessageRef>, StoreError>
  /** Canonical paths of a thread's messages, oldest first. */
  readonly threadPaths: (threadId: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
}

export class Envelopes extends Context.Tag("session-bridge/Envelopes")<Envelopes, EnvelopesShape>() {}

const MAX_CACHED = 200_000
const NO_NAMES: ReadonlyArray<string> = Object.freeze([])

const sameNames = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The lowercased text is made on first use (by search), not for every envelope read (the hook, the inbox). */
export const storedEnvelope = (path: string, envelope: MessageEnvelope): StoredEnvelope => {
  let text: string | undefined
  return {
    path,
    envelope,
    get text() {
      return (text ??= `${envelope.subject}\n${envelope.body}`.toLowerCase())
    }
  }
}

export const make = Effect.gen(function* () {
  const store = yield* Store
  const ids = yield* Ids
  const files = new Map<string, StoredEnvelope>()
  const dirs = new Map<
    string,
    { readonly mtimeMs: number; readonly listedAt: number; readonly names: ReadonlyArray<string> }
  >()

  const relist = (dir: string, mtimeMs: number) =>
    Effect.gen(function* () {
      const cached = dirs.get(dir)
      const listedAt = yield* Clock.currentTimeMillis
      const fresh = yield* store.list(dir)
      // An unchanged listing keeps its array, so results built from it (readDir, search) stay cached.
      const names = cached !== undefined && sameNames(cached.names, fresh) ? cached.names : fresh
      dirs.set(dir, { mtimeMs, listedAt, names })
      return names
    })

  /** The directory's names: one stat while it has not changed (and an absent one is empty, the same array each time). */
  const list = (dir: string): Effect.Effect<ReadonlyArray<string>, StoreError> =>
    Effect.flatMap(store.stat(dir), (st) => {
      if (Option.isNone(st)) {
        dirs.delete(dir)
        return Effect.succeed(NO_NAMES)
      }
      const cached = dirs.get(dir)
      return cached !== undefined && stillCurrent(cached, st.value.mtimeMs)
        ? Effect.succeed(cached.names)
        : relist(dir, st.value.mtimeMs)
    })

  const readStored = (path: string) =>
    Effect.gen(function* () {
      const hit = files.get(path)
      if (hit !== undefined) return Option.some(hit)
      const decoded = yield* readJsonIn(store, path, MessageEnvelope, plainEnvelope)
      if (Option.isNone(decoded)) return Option.none<StoredEnvelope>()
      if (files.size >= MAX_CACHED) files.clear()
      const entry = storedEnvelope(path, decoded.value)
      files.set(path, entry)
      return Option.some(entry)
    })

  /** Several envelopes: cached ones from the cache, the rest in one store call; oldest-first order is the caller's. */
  const readStoredMany = (paths: ReadonlyArray<string>) =>
    Effect.suspend(() => {
      const missing = paths.filter((p) => !files.has(p))
      const found = (): Array<Option.Option<StoredEnvelope>> => paths.map((p) => Option.fromNullable(files.get(p)))
      if (missing.length === 0) return Effect.succeed(found())
      return Effect.map(readJsonsIn(store, missing, MessageEnvelope, plainEnvelope), (decoded) => {
        if (files.size + missing.length >= MAX_CACHED) files.clear()
        decoded.forEach((d, i) => {
          if (Option.isSome(d)) files.set(missing[i]!, storedEnvelope(missing[i]!, d.value))
        })
        return found()
      })
    })

  /** The last result per directory, keyed by the listing it was built from (same array = same result). */
  const results = new Map<
    string,
    {
      readonly names: ReadonlyArray<string>
      readonly byName: Map<string, StoredEnvelope>
      readonly out: ReadonlyArray<StoredEnvelope>
    }
  >()

  const readDir = (dir: string) =>
    Effect.flatMap(list(dir), (names) => {
      const previous = results.get(dir)
      return previous !== undefined && previous.names === names ? Effect.succeed(previous.out) : load(dir, names)
    })

  /** The envelopes of a listing not read before: the known ones kept, the others read in one store call. */
  const load = (dir: string, names: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const previous = results.get(dir)
      const known = previous?.byName ?? new Map<string, StoredEnvelope>()
      const jsonNames = names.filter((n) => n.endsWith(".json"))
      const missing = jsonNames.filter((n) => !known.has(n))
      const loaded = yield* readStoredMany(missing.map((n) => `${dir}/${n}`))
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

  const provideStore = Effect.provideService(Store, store)
  const create = (path: string, envelope: MessageEnvelope) =>
    createJson(path, MessageEnvelope, envelope, plainEnvelopeJson).pipe(
      provideStore,
      Effect.tap((created) => Effect.sync(() => created && files.set(path, storedEnvelope(path, envelope))))
    )
  const threadMarker = (envelope: MessageEnvelope, path: string) =>
    envelope.threadId === envelope.id
      ? Effect.void
      : store.write(Layout.threadMarker(envelope.threadId, envelope.id), path)

  /** The id's ref and, for a reply, its thread marker (both at once when there are two files to sync). */
  const refAndMarker = (id: MessageId, ref: MessageRef, envelope: MessageEnvelope, path: string) =>
    Effect.all([createJson(Layout.messageRef(id), MessageRef, ref).pipe(provideStore), threadMarker(envelope, path)], {
      concurrency: envelope.threadId === envelope.id ? 1 : 2
    })

  /** A fresh id from Ids is always a ULID; a bug that breaks that is a defect. */
  const decodeId = Schema.decodeSync(MessageId)
  const publish = <E>(input: PublishInput<E>) =>
    Effect.gen(function* () {
      for (let attempt = 0; attempt < 8; attempt++) {
        const id = decodeId(yield* ids.next)
        const envelope = input.build(id, input.threadId ?? id)
        const canonical = input.canonical(id)
        const ref: MessageRef = { v: 1, path: canonical, threadId: envelope.threadId }
        const paths = [...new Set([canonical, ...(input.copies?.(id) ?? [])])]
        const text = encodeJson(MessageEnvelope, envelope, plainEnvelopeJson)
        const batch: Array<StoreFile> = paths.map((path) => ({ path, data: text }))
        batch.push({ path: Layout.messageRef(id), data: encodeJson(MessageRef, ref) })
        if (envelope.threadId !== id) batch.push({ path: Layout.threadMarker(envelope.threadId, id), data: canonical })
        if (input.alongside !== undefined) batch.push(...(yield* input.alongside(envelope)))
        // A collision on a fresh id is caught by the first file whose name is taken; nothing after it is created.
        const created = yield* store.createExclusiveAll(batch)
        for (let i = 0; i < paths.length; i++)
          if (created[i] === true) files.set(paths[i]!, storedEnvelope(paths[i]!, envelope))
        if (created.length === batch.length && created.every(Boolean)) return envelope
        yield* Effect.logDebug(`message id ${id} already taken; retrying`)
        const mine = batch.filter((_, i) => created[i] === true).map((f) => f.path)
        yield* Effect.forEach(
          mine,
          (p) =>
            Effect.zipRight(
              Effect.sync(() => files.delete(p)),
              store.remove(p)
            ),
          { discard: true }
        )
      }
      return yield* new Internal({
        message: "could not claim a fresh message id after 8 attempts",
        hint: "Retry; if it persists run `session-bridge doctor`."
      })
    })

  // A second delivery of the same message (a re-run after a crash) finds the file there, but the crash may have
  // come before its ref or thread marker: each is created when missing, never replaced.
  const deliver = (path: string, envelope: MessageEnvelope) =>
    Effect.gen(function* () {
      const created = yield* create(path, envelope)
      const ref: MessageRef = { v: 1, path, threadId: envelope.threadId }
      if (created) yield* refAndMarker(envelope.id, ref, envelope, path)
      else {
        yield* createJson(Layout.messageRef(envelope.id), MessageRef, ref).pipe(provideStore)
        if (envelope.threadId !== envelope.id)
          yield* store.createExclusive(Layout.threadMarker(envelope.threadId, envelope.id), path)
      }
      return created
    })

  const isId = Schema.is(MessageId)

  return Envelopes.of({
    publish,
    deliver,
    ref: (id) =>
      isId(id)
        ? readJson(Layout.messageRef(id), MessageRef).pipe(Effect.provideService(Store, store))
        : Effect.succeed(Option.none()),
    threadPaths: (threadId) =>
      isId(threadId)
        ? Effect.gen(function* () {
            const dir = Layout.threadDir(threadId)
            const [root, names] = yield* Effect.all([
              readJson(Layout.messageRef(threadId), MessageRef).pipe(provideStore),
              store.list(dir)
            ])
            const replies = yield* Effect.forEach(names, (n) => store.readText(`${dir}/${n}`))
            return [...Option.toArray(Option.map(root, (r) => r.path)), ...replies.flatMap(Option.toArray)]
          })
        : Effect.succeed([]),
    list,
    read: (path) =>
      Effect.map(
        readStored(path),
        Option.map((s) => s.envelope)
      ),
    readMany: (paths) => Effect.map(readStoredMany(paths), (found) => found.map(Option.map((s) => s.envelope))),
    readDir,
    create: (path, envelope) => create(path, envelope)
  })
})

export const layer: Layer.Layer<Envelopes, never, Store | Ids> = Layer.effect(Envelopes, make)
