import { assert, describe, it } from "@effect/vitest"
import {
  allEntries,
  decodeIndex as decodeBytes,
  indexChecksum,
  encodeIndex,
  indexPath,
  joinTexts,
  messageIdOf,
  searchable
} from "../../src/bridge/SearchIndexFile.js"
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

const decodeIndex = (text: string, dir: string) => decodeBytes(new TextEncoder().encode(text), dir)

/** The file with one edit made after its header line, the checksum fixed up as a careful forger would. */
const resigned = (text: string, edit: (body: string) => string) => {
  const cut = text.indexOf("\n")
  const header = text.slice(0, cut).split("\t")
  const body = edit(text.slice(cut + 1))
  header[6] = indexChecksum(new TextEncoder().encode(body))
  return `${header.join("\t")}\n${body}`
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
    const text = encodeIndex(snapshot)
    const [, ids, kinds, channels] = text.split("\n")
    const refused = [
      "",
      "garbage",
      text.slice(0, -1), // no final line feed
      text.slice(0, text.length / 2),
      text.replace("sb-search-index", "sb-search-indey"),
      text.replace("\t3\t", "\t2\t"), // an earlier format
      text.replace(/ *\n/, "    \n"), // more padding than the format writes
      text.replace("plain", "plaim"), // a changed character: the checksum no longer matches
      text.replace(`\n${kinds}\n`, `\n${kinds!.replace("c", "d")}\n`),
      text.replace("1796360743175", "soon"),
      resigned(text, (b) => b.replace(idAt(1), "../../secret/aaaaaaaaaaaaaa")), // not an id: never a path
      resigned(text, (b) => b.replace(ids!, ids!.slice(26, 52) + ids!.slice(0, 26) + ids!.slice(52))), // order
      resigned(text, (b) => b.replace(ids!, ids!.slice(0, 26) + ids!.slice(0, 26) + ids!.slice(52))), // twice
      resigned(text, (b) => b.replace(ids!, ids!.slice(26))), // an id short
      resigned(text, (b) => b.replace(`\n${kinds}\n`, `\n${kinds!.replace("c", "x")}\n`)), // unknown kind
      resigned(text, (b) => b.replace(`\n${kinds}\n`, `\n${kinds}d\n`)), // a kind too many
      resigned(text, (b) => b.replace(`\n${channels}\n`, `\n${channels}\t\n`)), // a channel too many
      resigned(text, (b) => b.replace("build", "bu\\qild")), // an escape never written
      resigned(text, (b) => b.replace("plain\nbody\u0000", "plain\nbody")), // a text short
      resigned(text, (b) => b.slice(0, -1) + "extra\u0000\n"), // a text too many
      resigned(text, (b) => b.slice(0, -1) + "extra\n"), // text after the last entry's
      resigned(text, (b) => b.slice(0, b.lastIndexOf("\n", b.length - 2) + 1)) // the texts gone
    ]
    for (const bad of refused) assert.strictEqual(decodeIndex(bad, DIR), undefined, JSON.stringify(bad.slice(0, 80)))
    assert.strictEqual(decodeIndex(text, "inbox/01M8ZP97AX1TCW8EC10W78R4HK"), undefined)
    // A header claiming more entries than the file has lines.
    const header = text.slice(0, text.indexOf("\n")).split("\t")
    header[5] = "6"
    assert.strictEqual(decodeIndex(`${header.join("\t")}${text.slice(text.indexOf("\n"))}`, DIR), undefined)
  })

  it("pads the header line to a multiple of 4 bytes, and reads a file whose body is not aligned", () => {
    const text = encodeIndex(snapshot)
    const headerLine = text.slice(0, text.indexOf("\n") + 1)
    assert.strictEqual(new TextEncoder().encode(headerLine).length % 4, 0)
    // Every padding a writer may leave (none to three spaces) reads back the same, whatever the body's alignment.
    const bare = text.replace(/ *\n/, "\n")
    for (const pad of ["", " ", "  ", "   "]) {
      const back = decodeIndex(bare.replace("\n", `${pad}\n`), DIR)
      assert.deepStrictEqual(allEntries(back!.entries), snapshot.entries, JSON.stringify(pad))
    }
  })

  it("checksums by 32-bit words, the last padded with zeros, whatever the bytes' alignment", () => {
    // FNV-1a's multiply per word, mixed down, seeded with the byte count: the format's definition, step by step.
    const reference = (bytes: Uint8Array) => {
      const words = new Int32Array(Math.ceil(bytes.length / 4))
      new Uint8Array(words.buffer).set(bytes)
      let h = 0x811c9dc5 ^ bytes.length
      for (const w of words) {
        h = Math.imul(h ^ w, 0x01000193)
        h ^= h >>> 15
      }
      return (h >>> 0).toString(16).padStart(8, "0")
    }
    const all = new Uint8Array(64 + 3)
    for (let i = 0; i < all.length; i++) all[i] = (i * 37 + 11) & 255
    for (let start = 0; start < 4; start++)
      for (let length = 0; length <= 64; length++) {
        const bytes = all.subarray(start, start + length)
        assert.strictEqual(indexChecksum(bytes), reference(bytes), `${start}+${length}`)
      }
  })

  it("names only message files, and keeps its own file under cache/search/", () => {
    assert.strictEqual(messageIdOf(`${idAt(1)}.json`), idAt(1))
    for (const n of ["x.json", `${idAt(1)}.txt`, `.tmp-${idAt(1)}.json`, `${idAt(1).toLowerCase()}.json`])
      assert.strictEqual(messageIdOf(n), undefined)
    assert.strictEqual(indexPath(DIR), "cache/search/inbox__01M8ZP97AX1TCW8EC10W78R4HJ.idx")
    assert.strictEqual(indexPath("channels/build/history"), "cache/search/channels__build__history.idx")
  })
})
