import { Effect, Layer } from "effect"
import { StoreError } from "../../src/domain/Errors.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"

/** Which writes fail: none, all but empty-marker creation (a full disk with inodes left), or all of them. */
export type DiskState = "ok" | "full" | "full-no-inodes"

/** A memory store whose writes fail, as on a full disk, once `set` says so; reads always work. */
export interface FailingStore {
  readonly store: StoreShape
  readonly set: (state: DiskState) => void
}

const enospc = (path: string) =>
  new StoreError({
    reason: "Io",
    path,
    cause: Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), { code: "ENOSPC" })
  })

/** Wraps `base`: every write (replace, create, append, move, remove) fails with ENOSPC while the disk is full. */
export const failingWrites = (base: StoreShape): FailingStore => {
  let state: DiskState = "ok"
  const guard =
    (empty: boolean) =>
    <A>(path: string, op: Effect.Effect<A, StoreError>): Effect.Effect<A, StoreError> =>
      state === "ok" || (empty && state === "full") ? op : Effect.fail(enospc(path))
  const blocks = guard(false)
  const marker = guard(true)
  return {
    set: (next) => {
      state = next
    },
    store: {
      ...base,
      write: (path, data) => blocks(path, base.write(path, data)),
      createExclusive: (path, data) => blocks(path, base.createExclusive(path, data)),
      createEmpty: (path) => marker(path, base.createEmpty(path)),
      append: (path, data) => blocks(path, base.append(path, data)),
      move: (from, to) => blocks(to, base.move(from, to)),
      remove: (path) => blocks(path, base.remove(path))
    }
  }
}

/** A fresh failing memory store and its layer. */
export const makeFailingStore = Effect.map(makeMemory, failingWrites)

export const failingStoreLayer = (failing: FailingStore): Layer.Layer<Store> => Layer.succeed(Store, failing.store)
