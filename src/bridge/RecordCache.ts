import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type { StoreError } from "../domain/Errors.js"
import { readJsonsIn } from "../services/store/Documents.js"
import type { StoreShape } from "../services/store/Store.js"
import { mtimeTrustMs, stillCurrent } from "./MtimeTrust.js"

/**
 * Every decodable JSON record of one directory, decoded once per version: a file is decoded again when its
 * size or mtime changed, or when it was decoded within mtimeTrustMs of its last change (a rewrite in the
 * same mtime tick with the same size cannot go unnoticed). A listing costs one stat per file (the files not cached
 * read in one store call), or one stat of the directory while it has not changed.
 */
export const makeRecordCache = <A, I>(store: StoreShape, dir: string, schema: Schema.Schema<A, I>) => {
  const cache = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly record: A }>()

  /**
   * The records of `names`, in order: each file stated, the ones whose size and mtime are cached answered from the
   * cache, the others read and decoded in one store call.
   */
  const readNames = (names: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const stats = yield* Effect.forEach(names, (name) => store.stat(`${dir}/${name}`))
      const out: Array<Option.Option<A>> = []
      const missing: Array<{ readonly i: number; readonly size: number; readonly mtimeMs: number }> = []
      names.forEach((name, i) => {
        const st = stats[i]!
        const hit = cache.get(name)
        if (Option.isNone(st)) {
          cache.delete(name)
          out.push(Option.none())
        } else if (hit !== undefined && hit.size === st.value.size && hit.mtimeMs === st.value.mtimeMs) {
          out.push(Option.some(hit.record))
        } else {
          missing.push({ i, size: st.value.size, mtimeMs: st.value.mtimeMs })
          out.push(Option.none())
        }
      })
      if (missing.length === 0) return out
      const now = yield* Clock.currentTimeMillis
      const decoded = yield* readJsonsIn(
        store,
        missing.map(({ i }) => `${dir}/${names[i]}`),
        schema
      )
      missing.forEach(({ i, size, mtimeMs }, k) => {
        const record = decoded[k]!
        if (Option.isSome(record) && mtimeMs > 0 && now - mtimeMs > mtimeTrustMs(mtimeMs)) {
          cache.set(names[i]!, { size, mtimeMs, record: record.value })
        } else {
          cache.delete(names[i]!)
        }
        out[i] = record
      })
      return out
    })

  /**
   * The last result, reused while the directory's mtime stays what it was when listed and was old enough then to be
   * trusted: the store replaces a record by a rename in the directory, which changes that mtime.
   */
  let last: { readonly mtimeMs: number; readonly listedAt: number; readonly records: ReadonlyArray<A> } | undefined

  const readAll: Effect.Effect<ReadonlyArray<A>, StoreError> = Effect.gen(function* () {
    const st = yield* store.stat(dir)
    const mtimeMs = Option.isSome(st) ? st.value.mtimeMs : 0
    if (last !== undefined && stillCurrent(last, mtimeMs)) return last.records
    const listedAt = yield* Clock.currentTimeMillis
    const names = (yield* store.list(dir)).filter((n) => n.endsWith(".json"))
    const listed = new Set(names)
    for (const name of cache.keys()) if (!listed.has(name)) cache.delete(name)
    const found = yield* readNames(names)
    const records = found.flatMap(Option.toArray)
    // Reused only when every record came from a file old enough to trust (the per-file cache holds each of them).
    last = mtimeMs > 0 && names.every((n) => cache.has(n)) ? { mtimeMs, listedAt, records } : undefined
    return records
  })
  return { readAll }
}
