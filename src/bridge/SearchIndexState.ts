import type { IndexedMessage } from "./SearchIndexFile.js"

/** What SearchIndex keeps per envelope directory. */
export interface DirState {
  readonly byId: Map<string, IndexedMessage>
  sorted: ReadonlyArray<IndexedMessage> | undefined
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

export const emptyState = (): DirState => ({
  byId: new Map(),
  sorted: undefined,
  seenMtimeMs: 0,
  listedMtimeMs: 0,
  listedAt: 0,
  pending: new Set(),
  heard: false,
  dirty: false,
  saving: false
})
