/** The entries' texts as one string, each followed by NUL (which no text or query term holds), and where each starts. */
export interface JoinedTexts {
  readonly text: string
  readonly offsets: ReadonlyArray<number>
}

/**
 * Which stretches of a directory's joined texts may hold a term. The texts are cut into blocks of BLOCK_ENTRIES
 * entries, each with a set of the character trigrams it holds, hashed into FILTER_WORDS 32-bit words. A term of
 * three or more characters can occur in a block only where every trigram of it has its bit set, so a block lacking
 * one is not searched at all; a block that has them all is searched as before, so a hash collision costs time,
 * never a wrong answer. An occurrence never crosses the NUL after an entry's text (no term holds one), so it lies
 * whole in one block.
 *
 * The filters of a joined text are kept for as long as the text is (the same object while the directory is
 * unchanged): 1 KiB per 128 entries. They come from the index file (SearchIndexFile), from the text the directory
 * had before its last change (only the blocks whose text differs are made again: a new message touches the last
 * one), or are made at the first search that needs them. ADR-0079.
 */
export const BLOCK_ENTRIES = 128
export const FILTER_WORDS = 256
const HASH_SHIFT = 32 - Math.log2(FILTER_WORDS * 32)

const known = new WeakMap<JoinedTexts, Uint32Array>()

/** How many filter words the texts of `entries` entries take. */
export const filterWordsFor = (entries: number): number => Math.ceil(entries / BLOCK_ENTRIES) * FILTER_WORDS

const trigram = (a: number, b: number, c: number): number => Math.imul((a * 31 + b) * 31 + c, 0x9e3779b1) >>> HASH_SHIFT

/** Where block `b` of `joined` ends: where the next one starts, or the text's end. */
const blockEnd = ({ text, offsets }: JoinedTexts, b: number): number =>
  (b + 1) * BLOCK_ENTRIES < offsets.length ? offsets[(b + 1) * BLOCK_ENTRIES]! : text.length

const fill = (filters: Uint32Array, b: number, text: string, start: number, end: number): void => {
  const base = b * FILTER_WORDS
  let x = text.charCodeAt(start)
  let y = text.charCodeAt(start + 1)
  for (let i = start + 2; i < end; i++) {
    const z = text.charCodeAt(i)
    const h = trigram(x, y, z)
    const w = base + (h >>> 5)
    filters[w] = filters[w]! | (1 << (h & 31))
    x = y
    y = z
  }
}

/**
 * The filters of `joined`, made now when none are known. A block of `prior` (the same directory's texts before a
 * change, when its filters are known) that holds exactly the same text at the same place lends its words.
 */
export const filtersOf = (joined: JoinedTexts, prior?: JoinedTexts): Uint32Array => {
  const had = known.get(joined)
  if (had !== undefined) return had
  const priorFilters = prior === undefined ? undefined : known.get(prior)
  const count = Math.ceil(joined.offsets.length / BLOCK_ENTRIES)
  const filters = new Uint32Array(count * FILTER_WORDS)
  for (let b = 0; b < count; b++) {
    const start = joined.offsets[b * BLOCK_ENTRIES]!
    const end = blockEnd(joined, b)
    if (prior !== undefined && priorFilters !== undefined && b * BLOCK_ENTRIES < prior.offsets.length) {
      const priorStart = prior.offsets[b * BLOCK_ENTRIES]!
      const priorEnd = blockEnd(prior, b)
      if (
        priorEnd - priorStart === end - start &&
        prior.text.slice(priorStart, priorEnd) === joined.text.slice(start, end)
      ) {
        filters.set(priorFilters.subarray(b * FILTER_WORDS, (b + 1) * FILTER_WORDS), b * FILTER_WORDS)
        continue
      }
    }
    fill(filters, b, joined.text, start, end)
  }
  known.set(joined, filters)
  return filters
}

/** The filters of `joined` if they are already known (read from its file, or made). */
export const knownFiltersOf = (joined: JoinedTexts): Uint32Array | undefined => known.get(joined)

/** Filters read with `joined` from its index file: kept when their size fits its entries. */
export const adoptFilters = (joined: JoinedTexts, filters: Uint32Array): void => {
  if (filters.length === filterWordsFor(joined.offsets.length)) known.set(joined, filters)
}

/** Every occurrence of `term` in `joined`'s text, ascending; undefined once there are more than `cap`. */
export const occurrencesIn = (joined: JoinedTexts, term: string, cap: number): Array<number> | undefined => {
  const { text, offsets } = joined
  const found: Array<number> = []
  if (term.length < 3 || offsets.length <= BLOCK_ENTRIES) {
    for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
      if (found.length === cap) return undefined
      found.push(at)
    }
    return found
  }
  const hashes: Array<number> = []
  for (let i = 0; i + 2 < term.length; i++)
    hashes.push(trigram(term.charCodeAt(i), term.charCodeAt(i + 1), term.charCodeAt(i + 2)))
  const filters = filtersOf(joined)
  const count = filters.length / FILTER_WORDS
  for (let b = 0; b < count; b++) {
    const base = b * FILTER_WORDS
    if (!hashes.every((h) => (filters[base + (h >>> 5)]! & (1 << (h & 31))) !== 0)) continue
    const start = offsets[b * BLOCK_ENTRIES]!
    const block = text.slice(start, blockEnd(joined, b))
    for (let at = block.indexOf(term); at >= 0; at = block.indexOf(term, at + 1)) {
      if (found.length === cap) return undefined
      found.push(start + at)
    }
  }
  return found
}
