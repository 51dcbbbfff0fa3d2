import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { filtersOf, knownFiltersOf, occurrencesIn } from "../../src/bridge/SearchBlocks.js"
import { joinTexts } from "../../src/bridge/SearchIndexFile.js"

/** Every occurrence of `term`, ascending, by a plain scan of the whole text; undefined past `cap`. */
const plain = (text: string, term: string, cap: number) => {
  const found: Array<number> = []
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    if (found.length === cap) return undefined
    found.push(at)
  }
  return found
}

const joinedOf = (texts: ReadonlyArray<string>) =>
  joinTexts(
    texts.map((text, i) => ({ id: String(i).padStart(6, "0"), kind: "direct" as const, channel: undefined, text }))
  )

describe("occurrencesIn", () => {
  it("finds what a plain scan finds, over texts spanning many blocks, for terms of every length", () => {
    const alphabet = fc.constantFrom("a", "b", "c", "ab", "ba", " ", "ü", "😀", "12", "3")
    fc.assert(
      fc.property(
        fc.array(
          fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join("")),
          { minLength: 0, maxLength: 700 }
        ),
        fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")),
        fc.integer({ min: 0, max: 400 }),
        (texts, term, cap) => {
          const joined = joinedOf(texts)
          assert.deepStrictEqual(occurrencesIn(joined, term, cap), plain(joined.text, term, cap))
        }
      ),
      { numRuns: 400 }
    )
  })

  it("skips the blocks that lack a trigram of the term and still finds the rare one at either end", () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `parser update ${i}\nnotes on cache, item ${i}`)
    texts[0] = "the needle is first"
    // A block is 128 entries: the first text of the second block, and the last of the third.
    texts[128] = "needle at a block's start"
    texts[383] = "a block's end: a needle"
    texts[4999] = "and a needle is last"
    const joined = joinedOf(texts)
    assert.deepStrictEqual(occurrencesIn(joined, "needle", 10), plain(joined.text, "needle", 10))
    assert.strictEqual(occurrencesIn(joined, "needle", 10)?.length, 4)
    assert.deepStrictEqual(occurrencesIn(joined, "4331", 10), plain(joined.text, "4331", 10))
    assert.strictEqual(occurrencesIn(joined, "cache", 100), undefined)
    assert.deepStrictEqual(occurrencesIn(joined, "absent", 10), [])
  })

  it("after a change, takes the unchanged blocks' filters from the texts before it and makes the others", () => {
    const texts = Array.from({ length: 600 }, (_, i) => `message ${i}\nabout things ${i * 3}`)
    const before = joinedOf(texts)
    filtersOf(before)
    // One text edited in the second block, two appended to the last.
    const after = [...texts, "a new one", "and another quartz"]
    after[200] = "edited: now it says quartz"
    const joined = joinedOf(after)
    const derived = filtersOf(joined, before)
    assert.strictEqual(knownFiltersOf(joined), derived)
    assert.deepStrictEqual(derived, filtersOf(joinedOf(after)))
    assert.deepStrictEqual(occurrencesIn(joined, "quartz", 10), plain(joined.text, "quartz", 10))
    // Texts that shifted (one removed near the start) share no block with the ones before, and are made anew.
    const shifted = joinedOf(texts.slice(1))
    assert.deepStrictEqual(filtersOf(shifted, before), filtersOf(joinedOf(texts.slice(1))))
  })
})
