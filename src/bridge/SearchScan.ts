import type { DirEntries, IndexedMessage } from "./SearchIndexFile.js"

/** The index of the entry holding position `at`: the last offset <= at. */
const entryAt = (offsets: ReadonlyArray<number>, at: number): number => {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (offsets[mid]! <= at) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * The newest `n` entries of a directory (newest first) whose text holds every term, `skip`ped ones left out.
 *
 * A backward leapfrog over the joined texts (native `lastIndexOf`, no per-entry work): from a position `end`,
 * each term's last occurrence at or before it names the newest entry holding that term; no entry newer than the
 * oldest of those can hold them all. When they are all the same entry it holds every term (an occurrence never
 * crosses the NUL after an entry's text, which no term holds); else the scan goes on from the end of that oldest
 * entry. So the rarest term sets the pace, and an entry is looked at only where a term occurs.
 */
export const newestMatching = (
  dir: DirEntries,
  terms: ReadonlyArray<string>,
  n: number,
  skip: (entry: IndexedMessage) => boolean
): Array<IndexedMessage> => {
  const hits: Array<IndexedMessage> = []
  const { text, offsets } = dir.joined
  if (offsets.length === 0 || terms.length === 0) return hits
  /** The last position an entry's text may start an occurrence at: before its NUL. */
  const lastIn = (i: number) => (i + 1 < offsets.length ? offsets[i + 1]! : text.length) - 2
  let end = text.length - 2
  while (hits.length < n && end >= 0) {
    let oldest = Number.MAX_SAFE_INTEGER
    let same = true
    for (let k = 0; k < terms.length; k++) {
      const at = text.lastIndexOf(terms[k]!, end)
      if (at < 0) return hits
      const i = entryAt(offsets, at)
      if (k > 0 && i !== oldest) same = false
      if (i < oldest) oldest = i
    }
    if (same) {
      const entry = dir.entry(oldest)
      if (!skip(entry)) hits.push(entry)
      if (oldest === 0) break
      end = lastIn(oldest - 1)
    } else end = lastIn(oldest)
  }
  return hits
}

/**
 * The terms of a query: lowercased, control characters (NUL separates the joined texts) and lone surrogates
 * (which the index file cannot hold) made harmless, split on whitespace.
 */
export const termsOf = (query: string): Array<string> =>
  query
    .toLowerCase()
    // oxlint-disable-next-line no-control-regex -- control characters are dropped
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/[\ud800-\udfff]/gu, "\uFFFD")
    .split(/\s+/)
    .filter((t) => t.length > 0)
