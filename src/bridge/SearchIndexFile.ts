import type { MessageEnvelope } from "../domain/Records.js"
import { crc32 } from "./Crc32.js"
import { adoptFilters, filtersOf, filterWordsFor, type JoinedTexts } from "./SearchBlocks.js"

/**
 * The search index of one envelope directory as a file (cache/search/<dir>.idx): what a fresh process reads
 * instead of decoding every message file (ADR-0039, ADR-0049). It holds no path: entries are message ids, joined
 * to the directory the reader asked for. Anything that does not parse exactly, or whose checksum does not match,
 * is refused whole (and the index rebuilt from the message files).
 *
 *   sb-search-index <TAB> 4 <TAB> <dir> <TAB> <dir mtime ms> <TAB> <listed at ms> <TAB> <count> <TAB> <checksum>
 *     <0-3 spaces: the line, its LF included, a multiple of 4 bytes> <LF>
 *   <the texts' block filters (SearchBlocks): 1 KiB per 128 entries, 32-bit words, little-endian, as bytes>
 *   <every id, 26 characters each, ascending> <LF>
 *   <every kind, one character each: d c b> <LF>
 *   <every channel, escaped, empty for none, TAB between> <LF>
 *   <every text (lowercased subject LF body), each followed by NUL> <LF>
 *
 * It is read in columns: one decode of the file, one check per column, and an entry made only when a search
 * returns it; the texts are searched as they lie in the file, their filters used as they lie there. The checksum
 * (CRC-32, hex) covers every byte after the header line.
 */

/** One message of a directory as search sees it: its id (the file is `<id>.json`), where it goes, its text. */
export interface IndexedMessage {
  readonly id: string
  readonly kind: MessageEnvelope["kind"]
  readonly channel: string | undefined
  /** Subject and body, lowercased, joined by a line feed. */
  readonly text: string
}

export interface IndexSnapshot {
  readonly dir: string
  /** The directory's mtime when it was last listed in full, and when that listing was made. */
  readonly dirMtimeMs: number
  readonly listedAt: number
  /** Oldest first (ascending ids). */
  readonly entries: ReadonlyArray<IndexedMessage>
}

export type { JoinedTexts } from "./SearchBlocks.js"

/** A directory's entries as search reads them: by position (oldest first), with their texts joined. */
export interface DirEntries {
  readonly size: number
  readonly entry: (i: number) => IndexedMessage
  readonly joined: JoinedTexts
}

/** A snapshot as read from its file. */
export interface LoadedSnapshot {
  readonly dir: string
  readonly dirMtimeMs: number
  readonly listedAt: number
  readonly entries: DirEntries
}

const MAGIC = "sb-search-index"
const VERSION = "4"
/** The largest index file read or written: a bigger one is refused unread (and not written). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024
const ID = /^[0-9A-Z]{26}$/
const NUMBER = /^\d{1,16}(\.\d{1,6})?$/
const KINDS: Record<string, MessageEnvelope["kind"]> = { d: "direct", c: "channel", b: "broadcast" }
const KIND_CODES: Record<MessageEnvelope["kind"], string> = { direct: "d", channel: "c", broadcast: "b" }

/**
 * The text search matches in an envelope: lowercased, a lone surrogate (which UTF-8 cannot hold) made U+FFFD, so
 * the text reads back from the index file exactly as it was written.
 */
export const searchText = (e: MessageEnvelope): string => searchable(`${e.subject}\n${e.body}`.toLowerCase())

// oxlint-disable-next-line no-control-regex -- NUL ends a text in the index file
const HAS_ODD = /[\u0000\ud800-\udfff]/
// oxlint-disable-next-line no-control-regex -- NUL ends a text in the index file
const ODD = /\u0000|[\ud800-\udfff]/gu
/**
 * `s` with each NUL made a space (NUL ends a text in the index; no query term holds either, so what matches is
 * unchanged) and each lone surrogate U+FFFD (what a UTF-8 encoder writes for it).
 */
export const searchable = (s: string): string =>
  HAS_ODD.test(s) ? s.replace(ODD, (c) => (c === "\u0000" ? " " : "\uFFFD")) : s

export const indexedMessage = (e: MessageEnvelope): IndexedMessage => ({
  id: e.id,
  kind: e.kind,
  channel: e.channel,
  text: searchText(e)
})

/** The message file name an entry stands for, when `name` is one (`<ULID>.json`). */
export const messageIdOf = (name: string): string | undefined => {
  const id = name.endsWith(".json") ? name.slice(0, -5) : ""
  return ID.test(id) ? id : undefined
}

const escape = (s: string): string =>
  /[\\\n\t\r]/.test(s)
    ? s.replace(/[\\\n\t\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\t" ? "\\t" : "\\r"))
    : s

const UNESCAPE: Record<string, string> = { "\\": "\\", n: "\n", t: "\t", r: "\r" }

/** The escaped text back, or undefined when it holds an escape this format never writes. */
const unescape = (s: string): string | undefined => {
  if (!s.includes("\\")) return s
  let bad = false
  const out = s.replace(/\\([\s\S]?)/g, (_, c: string) => {
    const v = UNESCAPE[c]
    if (v === undefined) bad = true
    return v ?? ""
  })
  return bad ? undefined : out
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** A checksum as the header line holds it: the CRC-32 of the bytes after that line, 8 hex digits. */
const checksumText = (crc: number): string => crc.toString(16).padStart(8, "0")

/** The texts of `entries` joined as the file and the scan hold them. */
export const joinTexts = (entries: ReadonlyArray<IndexedMessage>): JoinedTexts => {
  const offsets: Array<number> = []
  let at = 0
  for (const e of entries) {
    offsets.push(at)
    at += e.text.length + 1
  }
  return { text: entries.length === 0 ? "" : entries.map((e) => e.text).join("\u0000") + "\u0000", offsets }
}

/** Entries held in an array, as search reads them. */
export const arrayEntries = (entries: ReadonlyArray<IndexedMessage>): DirEntries => ({
  size: entries.length,
  entry: (i) => entries[i]!,
  joined: joinTexts(entries)
})

/** Every entry, oldest first. */
export const allEntries = (entries: DirEntries): Array<IndexedMessage> =>
  Array.from({ length: entries.size }, (_, i) => entries.entry(i))

/** Whether this machine stores 32-bit words little-endian, as the file does (every platform Node runs on today). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

const filterBytes = (filters: Uint32Array): Uint8Array => {
  if (LITTLE_ENDIAN) return new Uint8Array(filters.buffer, filters.byteOffset, filters.byteLength)
  const out = new Uint8Array(filters.length * 4)
  const view = new DataView(out.buffer)
  filters.forEach((w, i) => view.setUint32(i * 4, w, true))
  return out
}

const filterWords = (bytes: Uint8Array): Uint32Array => {
  // A copy with a buffer of its own: a Buffer's slice is a view into the file's bytes, offset and all.
  const copy = new Uint8Array(bytes)
  if (LITTLE_ENDIAN) return new Uint32Array(copy.buffer, 0, copy.length / 4)
  const view = new DataView(copy.buffer)
  return Uint32Array.from({ length: copy.length / 4 }, (_, i) => view.getUint32(i * 4, true))
}

/**
 * The file's bytes. `filters` are the block filters of the entries' joined texts (SearchBlocks), made here when not
 * given (or not of as many entries); `checksum` is CRC-32 (IndexChecksum: the platform's native one when it has it).
 */
export const encodeIndex = (
  snapshot: IndexSnapshot,
  filters?: Uint32Array,
  checksum: (bytes: Uint8Array) => number = crc32
): Uint8Array => {
  const { entries } = snapshot
  const joined = joinTexts(entries)
  const words = filters !== undefined && filters.length === filterWordsFor(entries.length) ? filters : filtersOf(joined)
  const body = utf8.encode(
    [
      entries.map((e) => e.id).join(""),
      entries.map((e) => KIND_CODES[e.kind]).join(""),
      entries.map((e) => escape(e.channel ?? "")).join("\t"),
      joined.text,
      ""
    ].join("\n")
  )
  const tail = new Uint8Array(words.length * 4 + body.length)
  tail.set(filterBytes(words))
  tail.set(body, words.length * 4)
  const header = [
    MAGIC,
    VERSION,
    snapshot.dir,
    String(snapshot.dirMtimeMs),
    String(snapshot.listedAt),
    String(entries.length),
    checksumText(checksum(tail))
  ].join("\t")
  // Spaces after the checksum bring the header line (its line feed included) to a multiple of 4 bytes, as format 3
  // did: the filters after it start on a word boundary of the file (they are copied out when read all the same).
  const pad = (4 - ((utf8.encode(header).length + 1) % 4)) % 4
  const head = utf8.encode(`${header}${" ".repeat(pad)}\n`)
  const out = new Uint8Array(head.length + tail.length)
  out.set(head)
  out.set(tail, head.length)
  return out
}

const IDS = /^[0-9A-Z]*$/
const HEADER_PADDING = /(?<=\t[0-9a-f]{8}) {1,3}$/
const KIND_COLUMN = /^[dcb]*$/

/** Whether the ids (26 characters each) are strictly ascending. */
const ascending = (ids: string, count: number): boolean => {
  let previous = ""
  for (let i = 0; i < count; i++) {
    const id = ids.slice(i * 26, i * 26 + 26)
    if (id <= previous) return false
    previous = id
  }
  return true
}

/**
 * The snapshot a file holds, when it is a well-formed index of `dir`: the header matches, the checksum is right,
 * the ids are message ids in strictly ascending order, and every column has exactly one value per entry. Else
 * undefined.
 */
export const decodeIndex = (
  bytes: Uint8Array,
  dir: string,
  checksum: (bytes: Uint8Array) => number = crc32
): LoadedSnapshot | undefined => {
  const headerBytes = bytes.indexOf(10)
  if (headerBytes < 0 || bytes[bytes.length - 1] !== 10) return undefined
  const header = fromUtf8.decode(bytes.subarray(0, headerBytes)).replace(HEADER_PADDING, "").split("\t")
  if (header.length !== 7 || header[0] !== MAGIC || header[1] !== VERSION || header[2] !== dir) return undefined
  if (!NUMBER.test(header[3]!) || !NUMBER.test(header[4]!) || !/^\d{1,9}$/.test(header[5]!)) return undefined
  if (header[6] !== checksumText(checksum(bytes.subarray(headerBytes + 1)))) return undefined
  const count = Number(header[5])
  const bodyStart = headerBytes + 1 + filterWordsFor(count) * 4
  if (bodyStart >= bytes.length) return undefined
  const text = fromUtf8.decode(bytes.subarray(bodyStart))
  const idsEnd = count * 26
  const kindsEnd = idsEnd + 1 + count
  if (text.charCodeAt(idsEnd) !== 10 || text.charCodeAt(kindsEnd) !== 10) return undefined
  const ids = text.slice(0, idsEnd)
  const kinds = text.slice(idsEnd + 1, kindsEnd)
  if (!IDS.test(ids) || !ascending(ids, count) || !KIND_COLUMN.test(kinds)) return undefined
  const channelsEnd = text.indexOf("\n", kindsEnd + 1)
  if (channelsEnd < 0) return undefined
  const channels = text
    .slice(kindsEnd + 1, channelsEnd)
    .split("\t")
    .map(unescape)
  if (channels.length !== Math.max(count, 1) || channels.some((c) => c === undefined)) return undefined
  // The texts: `count` of them, each ended by its NUL, then the final line feed.
  const joined = text.slice(channelsEnd + 1, text.length - 1)
  const offsets: Array<number> = []
  let at = 0
  for (let i = 0; i < count; i++) {
    const end = joined.indexOf("\u0000", at)
    if (end < 0) return undefined
    offsets.push(at)
    at = end + 1
  }
  if (at !== joined.length) return undefined
  const made: Array<IndexedMessage | undefined> = []
  const entry = (i: number): IndexedMessage =>
    (made[i] ??= {
      id: ids.slice(i * 26, i * 26 + 26),
      kind: KINDS[kinds[i]!]!,
      channel: channels[i] === "" ? undefined : channels[i],
      text: joined.slice(offsets[i]!, (offsets[i + 1] ?? joined.length) - 1)
    })
  const texts = { text: joined, offsets }
  adoptFilters(texts, filterWords(bytes.subarray(headerBytes + 1, bodyStart)))
  return {
    dir,
    dirMtimeMs: Number(header[3]),
    listedAt: Number(header[4]),
    entries: { size: count, entry, joined: texts }
  }
}

/** The index file of an envelope directory (its store path, made from the directory's own segments). */
export const indexPath = (dir: string): string => `cache/search/${dir.split("/").join("__")}.idx`
