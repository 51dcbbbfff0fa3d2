import type { MessageEnvelope } from "../domain/Records.js"

/**
 * The search index of one envelope directory as a file (cache/search/<dir>.idx): what a fresh process reads
 * instead of decoding every message file. It holds no path: entries are file names checked to be message file
 * names, joined to the directory the reader asked for. Anything that does not parse exactly is refused whole.
 *
 *   sb-search-index <TAB> 1 <TAB> <dir> <TAB> <dir mtime ms> <TAB> <listed at ms> <TAB> <count> <LF>
 *   <id> <TAB> <kind d|c|b> <TAB> <channel> <TAB> <escaped lowercased subject LF body> <LF>   (count lines)
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

const MAGIC = "sb-search-index"
const VERSION = "1"
/** The largest index file read or written: a bigger one is refused unread (and not written). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024
const ID = /^[0-9A-Z]{26}$/
const NUMBER = /^\d{1,16}(\.\d{1,6})?$/
const KINDS: Record<string, MessageEnvelope["kind"]> = { d: "direct", c: "channel", b: "broadcast" }
const KIND_CODES: Record<MessageEnvelope["kind"], string> = { direct: "d", channel: "c", broadcast: "b" }

/** The text search matches in an envelope. */
export const searchText = (e: MessageEnvelope): string => `${e.subject}\n${e.body}`.toLowerCase()

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

export const encodeIndex = (snapshot: IndexSnapshot): string => {
  const lines = [
    [
      MAGIC,
      VERSION,
      snapshot.dir,
      String(snapshot.dirMtimeMs),
      String(snapshot.listedAt),
      String(snapshot.entries.length)
    ].join("\t")
  ]
  for (const e of snapshot.entries)
    lines.push(`${e.id}\t${KIND_CODES[e.kind]}\t${escape(e.channel ?? "")}\t${escape(e.text)}`)
  return lines.join("\n") + "\n"
}

/**
 * The snapshot a file holds, when it is a well-formed index of `dir`: the header matches, every line has its
 * four fields, ids are message ids in strictly ascending order, and the count is right. Else undefined.
 */
export const decodeIndex = (text: string, dir: string): IndexSnapshot | undefined => {
  if (!text.endsWith("\n")) return undefined
  const lines = text.slice(0, -1).split("\n")
  const header = lines[0]!.split("\t")
  if (header.length !== 6 || header[0] !== MAGIC || header[1] !== VERSION || header[2] !== dir) return undefined
  if (!NUMBER.test(header[3]!) || !NUMBER.test(header[4]!) || !/^\d{1,9}$/.test(header[5]!)) return undefined
  const count = Number(header[5])
  if (lines.length !== count + 1) return undefined
  const entries: Array<IndexedMessage> = []
  let previous = ""
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.split("\t")
    if (fields.length !== 4) return undefined
    const [id, code, channel, escaped] = fields as [string, string, string, string]
    const kind = KINDS[code]
    if (!ID.test(id) || id <= previous || kind === undefined) return undefined
    const text = unescape(escaped)
    const channelName = unescape(channel)
    if (text === undefined || channelName === undefined) return undefined
    entries.push({ id, kind, channel: channelName === "" ? undefined : channelName, text })
    previous = id
  }
  return { dir, dirMtimeMs: Number(header[3]), listedAt: Number(header[4]), entries }
}

/** The index file of an envelope directory (its store path, made from the directory's own segments). */
export const indexPath = (dir: string): string => `cache/search/${dir.split("/").join("__")}.idx`
