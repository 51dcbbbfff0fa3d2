import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { crc32 } from "../../src/bridge/Crc32.js"
import {
  allEntries,
  decodeIndex,
  encodeIndex,
  indexPath,
  joinTexts,
  messageIdOf,
  searchable
} from "../../src/bridge/SearchIndexFile.js"
import { filtersOf, knownFiltersOf, occurrencesIn } from "../../src/bridge/SearchBlocks.js"
import { idAt } from "./searchIndexSupport.js"

const DIR = "inbox/01M8ZP97AX1TCW8EC10W78R4HJ"
const snapshot = {
  dir: DIR,
  dirMtimeMs: 1796360742175.4885,
  listedAt: 1796360743175,
  entries: [
    { id: idAt(1), kind: "direct" as const, channel: undefined, text: "plain\nbody" },
    { id: idAt(2), kind: "channel" as const, channel: "build", text: "tabs\there \\ back\\n slash\r\n\nlines" },
    { id: idAt(3), kind: "broadcast" as const, channel: undefined, text: "" },
    { id: idAt(4), kind: "direct" as const, channel: undefined, text: "ünïcödé 😀 \ufffd" }
  ]
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** A file's parts: the header line (its padding and LF included), the filters' bytes, the body as text. */
const partsOf = (file: Uint8Array) => {
  const cut = file.indexOf(10) + 1
  const head = fromUtf8.decode(file.subarray(0, cut))
  const count = Number(head.split("\t")[5])
  const filtersEnd = cut + Math.ceil(count / 128) * 1024
  return { head, filters: file.slice(cut, filtersEnd), body: fromUtf8.decode(file.subarray(filtersEnd)) }
}

const fileOf = ({ head, filters, body }: { head: string; filters: Uint8Array; body: string }) => {
  const [h, b] = [utf8.encode(head), utf8.encode(body)]
  const out = new Uint8Array(h.length + filters.length + b.length)
  out.set(h)
  out.set(filters, h.length)
  out.set(b, h.length + filters.length)
  return out
}

/** The file with its header line or its body edited as text (the filters kept), the checksum left as it was. */
const edited = (file: Uint8Array, edit: { head?: (h: string) => string; body?: (b: string) => string }) => {
  const p = partsOf(file)
  return fileOf({ head: edit.head?.(p.head) ?? p.head, filters: p.filters, body: edit.body?.(p.body) ?? p.body })
}

/** The file with one edit made after its header line, the checksum fixed up as a careful forger would. */
const resigned = (file: Uint8Array, edit: (body: string) => string, filters?: (f: Uint8Array) => Uint8Array) => {
  const p = partsOf(file)
  const body = edit(p.body)
  const f = filters?.(p.filters) ?? p.filters
  const tail = fileOf({ head: "", filters: f, body })
  const header = p.head.split("\t")
  header[6] = `${crc32(tail).toString(16).padStart(8, "0")}${header[6]!.slice(8)}`
  return fileOf({ head: header.join("\t"), filters: f, body })
}

describe("search index file", () => {
  it("round-trips every text exactly, tabs, line feeds, NULs, backslashes and non-ASCII included", () => {
    const text = encodeIndex(snapshot)
    const back = decodeIndex(text, DIR)!
    assert.deepStrictEqual([back.dir, back.dirMtimeMs, back.listedAt], [DIR, snapshot.dirMtimeMs, snapshot.listedAt])
    assert.deepStrictEqual(allEntries(back.entries), snapshot.entries)
    // The texts are read as one string, each followed by NUL: what the scan searches, as the file holds it.
    assert.deepStrictEqual(back.entries.joined, joinTexts(snapshot.entries))
    const empty = decodeIndex(encodeIndex({ ...snapshot, entries: [] }), DIR)!
    assert.deepStrictEqual([empty.entries.size, empty.entries.joined], [0, { text: "", offsets: [] }])
  })

  it("keeps texts to what the file can hold: a NUL searches as a space, a lone surrogate as U+FFFD", () => {
    assert.strictEqual(searchable("a\u0000b\ud800c\udc00\ud83d\ude00"), "a b\ufffdc\ufffd\ud83d\ude00")
    assert.strictEqual(searchable("plain"), "plain")
    const odd = { id: idAt(1), kind: "direct" as const, channel: undefined, text: searchable("x\u0000y\ud800") }
    const back = decodeIndex(encodeIndex({ ...snapshot, entries: [odd] }), DIR)!
    assert.deepStrictEqual(allEntries(back.entries), [odd])
  })

  it("refuses a file made for another directory, or anything not exactly its format", () => {
    const file = encodeIndex(snapshot)
    const [ids, kinds, channels] = partsOf(file).body.split("\n")
    const refused = [
      new Uint8Array(0),
      utf8.encode("garbage"),
      file.subarray(0, -1), // no final line feed
      file.subarray(0, file.length / 2),
      edited(file, { head: (h) => h.replace("sb-search-index", "sb-search-indey") }),
      edited(file, { head: (h) => h.replace("\t4\t", "\t3\t") }), // an earlier format
      edited(file, { head: (h) => h.replace(/ *\n/, "    \n") }), // more padding than the format writes
      edited(file, { body: (b) => b.replace("plain", "plaim") }), // a changed character: the checksum no longer matches
      edited(file, { body: (b) => b.replace(`\n${kinds}\n`, `\n${kinds!.replace("c", "d")}\n`) }),
      edited(file, { head: (h) => h.replace("1796360743175", "soon") }),
      resigned(file, (b) => b.replace(idAt(1), "../../secret/aaaaaaaaaaaaaa")), // not an id: never a path
      resigned(file, (b) => b.replace(ids!, ids!.slice(26, 52) + ids!.slice(0, 26) + ids!.slice(52))), // order
      resigned(file, (b) => b.replace(ids!, ids!.slice(0, 26) + ids!.slice(0, 26) + ids!.slice(52))), // twice
      resigned(file, (b) => b.replace(ids!, ids!.slice(26))), // an id short
      resigned(file, (b) => b.replace(`\n${kinds}\n`, `\n${kinds!.replace("c", "x")}\n`)), // unknown kind
      resigned(file, (b) => b.replace(`\n${kinds}\n`, `\n${kinds}d\n`)), // a kind too many
      resigned(file, (b) => b.replace(`\n${channels}\n`, `\n${channels}\t\n`)), // a channel too many
      resigned(file, (b) => b.replace("build", "bu\\qild")), // an escape never written
      resigned(file, (b) => b.replace("plain\nbody\u0000", "plain\nbody")), // a text short
      resigned(file, (b) => b.slice(0, -1) + "extra\u0000\n"), // a text too many
      resigned(file, (b) => b.slice(0, -1) + "extra\n"), // text after the last entry's
      resigned(file, (b) => b.slice(0, b.lastIndexOf("\n", b.length - 2) + 1)), // the texts gone
      resigned(
        file,
        (b) => b,
        (f) => f.subarray(4)
      ), // the filters a word short
      resigned(
        file,
        (b) => b,
        () => new Uint8Array(0)
      ) // no filters
    ]
    for (const bad of refused)
      assert.strictEqual(decodeIndex(bad, DIR), undefined, JSON.stringify(fromUtf8.decode(bad.subarray(0, 80))))
    assert.strictEqual(decodeIndex(file, "inbox/01M8ZP97AX1TCW8EC10W78R4HK"), undefined)
    // A header claiming more entries than the file has lines.
    const more = (h: string) =>
      h
        .split("\t")
        .map((f, i) => (i === 5 ? "6" : f))
        .join("\t")
    assert.strictEqual(decodeIndex(edited(file, { head: more }), DIR), undefined)
  })

  it("pads the header line to a multiple of 4 bytes, and reads a file whose body is not aligned", () => {
    const file = encodeIndex(snapshot)
    const { head } = partsOf(file)
    assert.strictEqual(utf8.encode(head).length % 4, 0)
    // Every padding a writer may leave (none to three spaces) reads back the same, whatever the body's alignment.
    for (const pad of ["", " ", "  ", "   "]) {
      const back = decodeIndex(edited(file, { head: (h) => h.replace(/ *\n/, `${pad}\n`) }), DIR)
      assert.deepStrictEqual(allEntries(back!.entries), snapshot.entries, JSON.stringify(pad))
    }
  })

  it("holds the texts' block filters, read back as they were written", () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      id: idAt(i + 1),
      kind: "direct" as const,
      channel: undefined,
      text: `subject ${i}\nbody of message ${i * 7}`
    }))
    const joined = joinTexts(many)
    const filters = filtersOf(joined)
    assert.strictEqual(filters.length, 3 * 256)
    const file = encodeIndex({ ...snapshot, entries: many }, filters)
    const back = decodeIndex(file, DIR)!
    assert.deepStrictEqual(knownFiltersOf(back.entries.joined), filters)
    // As the store reads it: a Buffer, possibly a view into a larger one at any offset.
    for (const offset of [0, 1, 3, 8]) {
      const inside = Buffer.concat([Buffer.alloc(offset), Buffer.from(file), Buffer.alloc(5)])
      const read = decodeIndex(inside.subarray(offset, offset + file.length), DIR)
      assert.deepStrictEqual(knownFiltersOf(read!.entries.joined), filters, `offset ${offset}`)
    }
    assert.deepStrictEqual(occurrencesIn(back.entries.joined, "e 2", 1000), occurrencesIn(joined, "e 2", 1000))
    // Filters of other entries are not written: the right ones are made instead.
    const other = decodeIndex(encodeIndex({ ...snapshot, entries: many }, new Uint32Array(256)), DIR)!
    assert.deepStrictEqual(knownFiltersOf(other.entries.joined), filters)
  })

  it("checksums by CRC-32 as zlib computes it, natively where the platform provides it, the same either way", () => {
    assert.strictEqual(crc32(new TextEncoder().encode("123456789")), 0xcbf43926)
    assert.strictEqual(crc32(new Uint8Array(0)), 0)
    const all = new Uint8Array(4096 + 3)
    for (let i = 0; i < all.length; i++) all[i] = (i * 2654435761) >>> 24
    for (let start = 0; start < 4; start++)
      for (const length of [0, 1, 2, 3, 4, 5, 63, 64, 65, 4096]) {
        const bytes = all.subarray(start, start + length)
        assert.strictEqual(crc32(bytes), zlib.crc32(bytes), `${start}+${length}`)
      }
    // A file written with the native checksum reads back with the table-driven one, and the other way round.
    const native = (bytes: Uint8Array) => zlib.crc32(bytes)
    assert.deepStrictEqual(
      allEntries(decodeIndex(encodeIndex(snapshot, undefined, native), DIR)!.entries),
      snapshot.entries
    )
    assert.deepStrictEqual(allEntries(decodeIndex(encodeIndex(snapshot), DIR, native)!.entries), snapshot.entries)
  })

  it("names only message files, and keeps its own file under cache/search/", () => {
    assert.strictEqual(messageIdOf(`${idAt(1)}.json`), idAt(1))
    for (const n of ["x.json", `${idAt(1)}.txt`, `.tmp-${idAt(1)}.json`, `${idAt(1).toLowerCase()}.json`])
      assert.strictEqual(messageIdOf(n), undefined)
    assert.strictEqual(indexPath(DIR), "cache/search/inbox__01M8ZP97AX1TCW8EC10W78R4HJ.idx")
    assert.strictEqual(indexPath("channels/build/history"), "cache/search/channels__build__history.idx")
  })
})
