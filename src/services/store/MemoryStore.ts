import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { StoreError } from "../../domain/Errors.js"
import { FILE_MODE, MAX_RECORD_BYTES, Store, type StoreChange, type StoreShape } from "./Store.js"
import { dirSegments, segments } from "./StorePath.js"

interface Entry {
  readonly data: Uint8Array
  readonly mode: number
  readonly mtimeMs: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const toBytes = (data: Uint8Array | string): Uint8Array => (typeof data === "string" ? encoder.encode(data) : data)

/** An in-memory store with the same semantics as the file-system one, driven by Effect's Clock. */
export const makeMemory = Effect.gen(function* () {
  const files = yield* Ref.make(new Map<string, Entry>())
  const listeners = new Set<{ readonly dir: string; readonly onChange: (change: StoreChange) => void }>()

  const parentOf = (path: string) => {
    const i = path.lastIndexOf("/")
    return { dir: i < 0 ? "" : path.slice(0, i), name: i < 0 ? path : path.slice(i + 1) }
  }
  const notify = (path: string) =>
    Effect.sync(() => {
      const change = parentOf(path)
      for (const l of listeners) if (l.dir === change.dir) l.onChange(change)
    })
  const put = (path: string, data: Uint8Array | string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      yield* Ref.update(files, (m) => new Map(m).set(path, { data: toBytes(data), mode: FILE_MODE, mtimeMs: now }))
      yield* notify(path)
    })
  const isUnder = (path: string, dir: string) => dir === "" || path.startsWith(dir + "/")

  /** The same cap as the file store: a file over `maxBytes` is refused, naming it. */
  const capped = (path: string, data: Uint8Array | undefined, maxBytes: number) =>
    data !== undefined && data.length > maxBytes
      ? Either.left(
          new StoreError({
            reason: "Unsafe",
            path,
            cause: `${data.length} bytes, over the ${maxBytes} bytes it may hold`
          })
        )
      : Either.right(Option.fromNullable(data))

  const read: StoreShape["read"] = (path, maxBytes = MAX_RECORD_BYTES) =>
    Effect.flatMap(segments(path), () =>
      Effect.flatMap(Ref.get(files), (m) => capped(path, m.get(path)?.data, maxBytes))
    )

  const createExclusive: StoreShape["createExclusive"] = (path, data) =>
    Effect.gen(function* () {
      yield* segments(path)
      const now = yield* Clock.currentTimeMillis
      const created = yield* Ref.modify(files, (m) =>
        m.has(path) ? [false, m] : [true, new Map(m).set(path, { data: toBytes(data), mode: FILE_MODE, mtimeMs: now })]
      )
      if (created) yield* notify(path)
      return created
    })

  const createExclusiveAll: StoreShape["createExclusiveAll"] = (files) =>
    Effect.gen(function* () {
      // Every path is checked before the first file is written, as on the real files.
      yield* Effect.forEach(files, (file) => segments(file.path), { discard: true })
      const created: Array<boolean> = []
      for (const file of files) {
        const ok = yield* createExclusive(file.path, file.data)
        created.push(ok)
        if (!ok) break
      }
      return created
    })

  const service: StoreShape = {
    root: "memory:",
    read,
    readTexts: (paths) =>
      Effect.zipRight(
        Effect.forEach(paths, segments, { discard: true }),
        Effect.map(Ref.get(files), (m) =>
          paths.map((p) =>
            Either.map(
              capped(p, m.get(p)?.data, MAX_RECORD_BYTES),
              Option.map((b) => decoder.decode(b))
            )
          )
        )
      ),
    readText: (path, maxBytes) => read(path, maxBytes).pipe(Effect.map(Option.map((b) => decoder.decode(b)))),
    readHead: (path, maxBytes) =>
      Effect.flatMap(segments(path), () =>
        Effect.map(Ref.get(files), (m) =>
          Option.map(Option.fromNullable(m.get(path)?.data), (b) => ({ bytes: b.slice(0, maxBytes), size: b.length }))
        )
      ),
    write: (path, data) => Effect.zipRight(segments(path), put(path, data)),
    createExclusive,
    createExclusiveAll,
    createEmpty: (path) => createExclusive(path, new Uint8Array()),
    append: (path, data) =>
      Effect.gen(function* () {
        yield* segments(path)
        const previous = (yield* Ref.get(files)).get(path)?.data ?? new Uint8Array()
        const next = new Uint8Array(previous.length + encoder.encode(data).length)
        next.set(previous)
        next.set(encoder.encode(data), previous.length)
        yield* put(path, next)
      }),
    list: (dir) =>
      Effect.gen(function* () {
        yield* dirSegments(dir)
        const names = new Set<string>()
        for (const key of (yield* Ref.get(files)).keys()) {
          if (!isUnder(key, dir)) continue
          const rest = dir === "" ? key : key.slice(dir.length + 1)
          names.add(rest.split("/")[0]!)
        }
        return [...names].sort()
      }),
    stat: (path) =>
      Effect.gen(function* () {
        yield* segments(path)
        const m = yield* Ref.get(files)
        const entry = m.get(path)
        if (entry)
          return Option.some({
            size: entry.data.length,
            mtimeMs: entry.mtimeMs,
            mode: entry.mode,
            isDirectory: false,
            isFile: true
          })
        for (const key of m.keys()) {
          if (isUnder(key, path))
            return Option.some({ size: 0, mtimeMs: 0, mode: 0o700, isDirectory: true, isFile: false })
        }
        return Option.none()
      }),
    remove: (path) =>
      Effect.gen(function* () {
        yield* segments(path)
        const existed = yield* Ref.modify(files, (m) => {
          if (!m.has(path)) return [false, m]
          const next = new Map(m)
          next.delete(path)
          return [true, next]
        })
        if (existed) yield* notify(path)
        return existed
      }),
    removeTree: (dir) =>
      Effect.zipRight(
        dirSegments(dir),
        Ref.update(files, (m) => new Map([...m].filter(([key]) => !isUnder(key, dir) && key !== dir)))
      ),
    move: (from, to) =>
      Effect.gen(function* () {
        yield* segments(from)
        yield* segments(to)
        const m = yield* Ref.get(files)
        const entry = m.get(from)
        if (!entry) return yield* new StoreError({ reason: "NotFound", path: from })
        const next = new Map(m)
        next.delete(from)
        next.set(to, entry)
        yield* Ref.set(files, next)
        yield* notify(from)
        yield* notify(to)
      }),
    subscribe: (dir, onChange) =>
      Effect.zipRight(
        dirSegments(dir),
        Effect.acquireRelease(
          Effect.sync(() => {
            const listener = { dir, onChange }
            listeners.add(listener)
            return listener
          }),
          (listener) => Effect.sync(() => listeners.delete(listener))
        )
      ).pipe(Effect.asVoid),
    repairModes: Effect.succeed([]),
    staleTempFiles: () => Effect.succeed([])
  }
  return service
})

export const layerMemory: Layer.Layer<Store> = Layer.effect(Store, makeMemory)
