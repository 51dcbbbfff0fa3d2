import { filtersOf, knownFiltersOf } from "./SearchBlocks.js"
import { allEntries, arrayEntries, type DirEntries, type IndexedMessage, type JoinedTexts } from "./SearchIndexFile.js"

export type { DirEntries } from "./SearchIndexFile.js"

/** What SearchIndex keeps per envelope directory. */
export interface DirState {
  /** The entries by id; made the first time a change must be applied (a fresh index file is searched without). */
  byId: Map<string, IndexedMessage> | undefined
  /** The entries as read from an index file, until the first change. */
  loaded: DirEntries | undefined
  /** The entries sorted by id, once made from `byId`. */
  sorted: ReadonlyArray<IndexedMessage> | undefined
  /** What search reads: `loaded`, or `sorted` with its texts joined; the same object while nothing changed. */
  view: DirEntries | undefined
  /** The texts search read before the changes since, whose block filters the next view reuses (SearchBlocks). */
  prior: JoinedTexts | undefined
  /** The directory mtime the entries account for (0: unknown, list on every use). */
  seenMtimeMs: number
  /** The last full listing the entries match: what the index file may claim. */
  listedMtimeMs: number
  listedAt: number
  /** Names the watch reported since they were last looked at. */
  readonly pending: Set<string>
  heard: boolean
  dirty: boolean
  saving: boolean
}

export const byId = (a: IndexedMessage, b: IndexedMessage) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The entries by id, made from the loaded or sorted ones the first time they are needed. */
export const byIdOf = (state: DirState): Map<string, IndexedMessage> =>
  (state.byId ??= new Map(
    (state.sorted ?? (state.loaded === undefined ? [] : allEntries(state.loaded))).map((e) => [e.id, e])
  ))

/** Marks the entries changed (after a change to `byIdOf(state)`): what search reads is made again when asked for. */
export const changed = (state: DirState): void => {
  byIdOf(state)
  state.prior ??= (state.view ?? state.loaded)?.joined
  state.loaded = undefined
  state.sorted = undefined
  state.view = undefined
  state.dirty = true
}

export const sortedOf = (state: DirState): ReadonlyArray<IndexedMessage> =>
  (state.sorted ??= state.loaded !== undefined ? allEntries(state.loaded) : [...byIdOf(state).values()].sort(byId))

/**
 * What search reads, made when first asked for after a change. When the texts before the change had block
 * filters, the new texts get theirs at once, from the blocks that did not change.
 */
export const viewOf = (state: DirState): DirEntries => {
  if (state.view !== undefined) return state.view
  const view = state.loaded ?? arrayEntries(sortedOf(state))
  const prior = state.prior
  state.prior = undefined
  if (prior !== undefined && knownFiltersOf(prior) !== undefined) filtersOf(view.joined, prior)
  return (state.view = view)
}

export const emptyState = (): DirState => ({
  byId: new Map(),
  loaded: undefined,
  sorted: undefined,
  view: undefined,
  prior: undefined,
  seenMtimeMs: 0,
  listedMtimeMs: 0,
  listedAt: 0,
  pending: new Set(),
  heard: false,
  dirty: false,
  saving: false
})
