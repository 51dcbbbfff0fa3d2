import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { arrayEntries, type IndexedMessage } from "../../src/bridge/SearchIndexFile.js"
import { lastAtOrBefore, newestMatching, termsOf } from "../../src/bridge/SearchScan.js"
import { idAt } from "./searchIndexSupport.js"

/** What the scan must return: every entry holding every term, newest first, checked one by one. */
const reference = (
  entries: ReadonlyArray<IndexedMessage>,
  terms: ReadonlyArray<string>,
  n: number,
  skip: (e: IndexedMessage) => boolean
) =>
  [...entries]
    .reverse()
    .filter((e) => !skip(e) && terms.every((t) => e.text.includes(t)))
    .slice(0, n)
    .map((e) => e.id)

describe("lastAtOrBefore", () => {
  it("finds what lastIndexOf finds, through windows of every size, at every end", () => {
    const alphabet = fc.constantFrom("a", "b", "ab", "ba", "\u0000", "ü")
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 400 }).map((parts) => parts.join("")),
        fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")),
        fc.integer({ min: -3, max: 900 }),
        fc.integer({ min: 1, max: 64 }),
        (text, term, end, least) => lastAtOrBefore(text, term, end, least) === text.lastIndexOf(term, end)
      ),
      { numRuns: 3000 }
    )
  })

  it("finds an occurrence far behind the end of a long text, and the last of many", () => {
    const text = `needle${"x".repeat(300_000)}needle${"y".repeat(5000)}`
    assert.strictEqual(lastAtOrBefore(text, "needle", text.length), 300_006)
    assert.strictEqual(lastAtOrBefore(text, "needle", 300_005), 0)
    assert.strictEqual(lastAtOrBefore(text, "needlex", text.length), 0)
    assert.strictEqual(lastAtOrBefore(text, "z", text.length), -1)
    const many = "ab".repeat(100_000)
    assert.strictEqual(lastAtOrBefore(many, "ab", 123_457), 123_456)
    assert.strictEqual(lastAtOrBefore("abc", "", 7), "abc".lastIndexOf("", 7))
  })
})

describe("newestMatching", () => {
  it("gives what checking every entry gives, for 1-4 terms, overlapping words and skipped entries", () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    // Short words that occur inside each other and across word boundaries ("ab" in "cab", "a b").
    const WORDS = ["a", "ab", "cab", "b", "abc", "bca", "x", "xy", "yx", "ü", "\n", "1", "12", "121"]
    const text = (k: number) => Array.from({ length: k }, () => WORDS[random(WORDS.length)]).join(random(2) ? " " : "")
    for (let round = 0; round < 30; round++) {
      const entries: Array<IndexedMessage> = Array.from({ length: 1 + random(200) }, (_, i) => ({
        id: idAt(i),
        kind: random(3) === 0 ? "channel" : "direct",
        channel: undefined,
        text: text(random(8))
      }))
      const dir = arrayEntries(entries)
      const skip = (e: IndexedMessage) => e.kind === "channel"
      for (let q = 0; q < 40; q++) {
        const terms = termsOf(text(1 + random(4)))
        if (terms.length === 0) continue
        const n = 1 + random(40)
        const keep = q % 2 === 0 ? skip : () => false
        assert.deepStrictEqual(
          newestMatching(dir, terms, n, keep).map((e) => e.id),
          reference(entries, terms, n, keep),
          JSON.stringify(terms)
        )
      }
    }
  })

  it("finds frequent and rare terms among 20,000 entries as checking every entry does", () => {
    // "update" is in every entry, "parser" in every 12th, a number's digits in a few; "old" is in the 3,000 oldest
    // entries only, far back.
    const entries: Array<IndexedMessage> = Array.from({ length: 20_000 }, (_, i) => ({
      id: idAt(i),
      kind: "direct",
      channel: undefined,
      text: `${["parser", "config", "deploy"][i % 12] ?? "other"} update ${i}\nnotes, item ${i}${i < 3000 ? " old" : ""}`
    }))
    const dir = arrayEntries(entries)
    for (const query of [
      "parser update 331",
      "331 update",
      "config 99",
      "update old",
      "old 12",
      "parser 1999",
      "zzz"
    ]) {
      const terms = termsOf(query)
      for (const n of [1, 20, 500]) {
        assert.deepStrictEqual(
          newestMatching(dir, terms, n, () => false).map((e) => e.id),
          reference(entries, terms, n, () => false),
          `${query} (${n})`
        )
      }
    }
  })

  it("never matches across two entries' texts, and finds nothing in an empty directory", () => {
    const entries = [
      { id: idAt(1), kind: "direct" as const, channel: undefined, text: "par" },
      { id: idAt(2), kind: "direct" as const, channel: undefined, text: "ser" }
    ]
    assert.deepStrictEqual(
      newestMatching(arrayEntries(entries), ["parser"], 10, () => false),
      []
    )
    assert.deepStrictEqual(
      newestMatching(arrayEntries(entries), ["par", "ser"], 10, () => false),
      []
    )
    assert.deepStrictEqual(
      newestMatching(arrayEntries([]), ["a"], 10, () => false),
      []
    )
  })

  it("makes terms of a query: lowercased, control characters and whitespace split, a lone surrogate U+FFFD", () => {
    assert.deepStrictEqual(termsOf("  Parser\u0000CONFIG\tx\n"), ["parser", "config", "x"])
    assert.deepStrictEqual(termsOf("a\ud800"), ["a\ufffd"])
    assert.deepStrictEqual(termsOf(" \u0001 "), [])
  })
})
