import { occurrencesIn } from "./SearchBlocks.js"
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

/** The narrowest window `lastAtOrBefore` searches in one go. */
const LEAST_WINDOW = 1024

/**
 * `text.lastIndexOf(term, end)`, by forward searches. V8 searches forward with a skip table but backward one
 * character at a time: over a 1 MB text a forward search that finds nothing takes about 0.01 ms and a backward
 * one 0.35 ms. So windows ending at `end` double until one holds an occurrence (the text ahead of `end` is never
 * searched), that window is halved down to `least` characters, keeping the upper half whenever it holds one, and
 * the last occurrence in what is left is the answer. Every window is a slice, which V8 makes without a copy.
 */
export const lastAtOrBefore = (text: string, term: string, end: number, least = LEAST_WINDOW): number => {
  const len = term.length
  const from = Math.max(0, end)
  if (len === 0) return Math.min(from, text.length)
  const narrowest = Math.max(least, 4 * len)
  let hi = Math.min(text.length, from + len)
  let lo = Math.max(0, hi - narrowest)
  // Occurrences lie whole in [lo, hi); one that crosses a window's lower edge lies whole in the next window.
  for (let size = narrowest; ; size *= 2) {
    if (hi < len) return -1
    lo = Math.max(0, hi - size)
    if (size === narrowest) {
      // The nearest window is searched backward: short enough for that, and where a frequent term is found.
      const at = text.slice(lo, hi).lastIndexOf(term)
      if (at >= 0) return lo + at
    } else if (text.slice(lo, hi).includes(term)) break
    if (lo === 0) return -1
    hi = lo + len - 1
  }
  while (hi - lo > narrowest) {
    const mid = (lo + hi) >> 1
    if (text.slice(mid, hi).includes(term)) lo = mid
    else hi = mid + len - 1
  }
  return lo + text.slice(lo, hi).lastIndexOf(term)
}

/** How much of the newest text a term's occurrences are counted in to guess which term is rarest, and up to how many. */
const SAMPLE_CHARS = 16_384
const SAMPLE_CAP = 64
/** The most occurrences of the rarest-looking term collected before the leapfrog is used instead. */
const COLLECT_CAP = 256

/** How often `term` occurs in the newest SAMPLE_CHARS of `text`, up to SAMPLE_CAP. */
const sampledCount = (text: string, term: string): number => {
  let count = 0
  for (let at = text.indexOf(term, text.length - SAMPLE_CHARS); at >= 0 && count < SAMPLE_CAP; count++)
    at = text.indexOf(term, at + 1)
  return count
}

/**
 * The newest `n` entries of a directory (newest first) whose text holds every term, `skip`ped ones left out.
 *
 * Several terms: the one that occurs least among the newest texts (then the longest) is looked for forward over
 * the whole text, once, in the blocks that hold its trigrams (SearchBlocks); when it occurs at most COLLECT_CAP
 * times, the entries holding it are checked for the other terms in their own texts, newest first. A rare term
 * costs one pass over the text so, where the leapfrog would search the long stretches between its occurrences
 * backward, window by window, at every step. Otherwise (one term, or every term frequent) the leapfrog below.
 */
export const newestMatching = (
  dir: DirEntries,
  terms: ReadonlyArray<string>,
  n: number,
  skip: (entry: IndexedMessage) => boolean
): Array<IndexedMessage> => {
  const { text, offsets } = dir.joined
  if (offsets.length === 0 || terms.length < 2) return leapfrog(dir, terms, n, skip)
  const [lead, ...others] = terms
    .map((term) => ({ term, count: sampledCount(text, term) }))
    .sort((a, b) => a.count - b.count || b.term.length - a.term.length)
    .map((t) => t.term) as [string, ...Array<string>]
  const found = occurrencesIn(dir.joined, lead, COLLECT_CAP)
  if (found === undefined) return leapfrog(dir, terms, n, skip)
  const hits: Array<IndexedMessage> = []
  let last = -1
  for (let k = found.length - 1; k >= 0 && hits.length < n; k--) {
    const i = entryAt(offsets, found[k]!)
    if (i === last) continue
    last = i
    // The entry's own text: up to the NUL after it (none of the terms holds one).
    const own = text.slice(offsets[i]!, (i + 1 < offsets.length ? offsets[i + 1]! : text.length) - 1)
    if (!others.every((term) => own.includes(term))) continue
    const entry = dir.entry(i)
    if (!skip(entry)) hits.push(entry)
  }
  return hits
}

/**
 * The newest `n` entries of a directory (newest first) whose text holds every term, `skip`ped ones left out.
 *
 * A backward leapfrog over the joined texts (`lastAtOrBefore`, no per-entry work): from a position `end`,
 * each term's last occurrence at or before it names the newest entry holding that term; no entry newer than the
 * oldest of those can hold them all. When they are all the same entry it holds every term (an occurrence never
 * crosses the NUL after an entry's text, which no term holds); else the scan goes on from the end of that oldest
 * entry. So the rarest term sets the pace, and an entry is looked at only where a term occurs.
 */
const leapfrog = (
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
      const at = lastAtOrBefore(text, terms[k]!, end)
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
