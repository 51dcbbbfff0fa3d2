import { assert, describe, it } from "@effect/vitest"
import { decodeIndex, encodeIndex, indexPath, messageIdOf } from "../../src/bridge/SearchIndexFile.js"
import { idAt } from "./searchIndexSupport.js"

const DIR = "inbox/01M8ZP97AX1TCW8EC10W78R4HJ"
const snapshot = {
  dir: DIR,
  dirMtimeMs: 1796360742175.4885,
  listedAt: 1796360743175,
  entries: [
    { id: idAt(1), kind: "direct" as const, channel: undefined, text: "plain\nbody" },
    { id: idAt(2), kind: "channel" as const, channel: "build", text: "tabs\there \\ back\\n slash\r\n\nlines" },
    { id: idAt(3), kind: "broadcast" as const, channel: undefined, text: "" }
  ]
}

describe("search index file", () => {
  it("round-trips every text exactly, tabs, line feeds and backslashes included", () => {
    const text = encodeIndex(snapshot)
    assert.deepStrictEqual(decodeIndex(text, DIR), snapshot)
    assert.strictEqual(text.split("\n").length, snapshot.entries.length + 2)
  })

  it("refuses a file made for another directory, or anything not exactly its format", () => {
    const text = encodeIndex(snapshot)
    const lines = text.split("\n")
    const withLine = (i: number, line: string) => lines.map((l, k) => (k === i ? line : l)).join("\n")
    const refused = [
      "",
      "garbage",
      text.slice(0, -1), // no final line feed
      text.slice(0, text.length / 2),
      text.replace("sb-search-index", "sb-search-indey"),
      text.replace("\t1\t", "\t2\t"),
      withLine(0, lines[0]!.replace(/\t3$/, "\t4")), // count
      withLine(1, `../../secret\td\t\tx`), // not a message id: never a path
      withLine(1, `${idAt(9)}\td\t\tx`), // out of order
      withLine(2, `${idAt(2)}\tc\tbuild`), // a field short
      withLine(2, `${idAt(2)}\tx\t\ttext`), // unknown kind
      withLine(2, `${idAt(2)}\tc\t\tbad \\q escape`),
      withLine(0, lines[0]!.replace("1796360743175", "soon"))
    ]
    for (const bad of refused) assert.strictEqual(decodeIndex(bad, DIR), undefined, JSON.stringify(bad.slice(0, 80)))
    assert.strictEqual(decodeIndex(text, "inbox/01M8ZP97AX1TCW8EC10W78R4HK"), undefined)
  })

  it("names only message files, and keeps its own file under cache/search/", () => {
    assert.strictEqual(messageIdOf(`${idAt(1)}.json`), idAt(1))
    for (const n of ["x.json", `${idAt(1)}.txt`, `.tmp-${idAt(1)}.json`, `${idAt(1).toLowerCase()}.json`])
      assert.strictEqual(messageIdOf(n), undefined)
    assert.strictEqual(indexPath(DIR), "cache/search/inbox__01M8ZP97AX1TCW8EC10W78R4HJ.idx")
    assert.strictEqual(indexPath("channels/build/history"), "cache/search/channels__build__history.idx")
  })
})
