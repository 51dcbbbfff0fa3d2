import { describe, expect, it } from "vitest"
import { makeSpoolTails, noTails } from "../../src/relay/sql/SpoolTails.js"

const R = 7

describe("spool tails", () => {
  it("know nothing until a read saw the end of a spool, then answer for cursors at or past it", () => {
    const tails = makeSpoolTails(25_000, 100)
    expect(tails.nothingAbove(R, 10, 0)).toBe(false)
    tails.observed(R, 10, 0, tails.readStarts())
    expect(tails.nothingAbove(R, 10, 1)).toBe(true)
    expect(tails.nothingAbove(R, 11, 1)).toBe(true)
    expect(tails.nothingAbove(R, 9, 1)).toBe(false)
    expect(tails.nothingAbove(R + 1, 10, 1)).toBe(false)
  })

  it("a commit raises the end, and a read that missed it cannot lower it, in either order", () => {
    const after = makeSpoolTails(25_000, 100)
    after.observed(R, 10, 0, after.readStarts())
    after.committed(R, 11)
    expect(after.nothingAbove(R, 10, 1)).toBe(false)
    expect(after.nothingAbove(R, 11, 1)).toBe(true)
    // The commit is recorded before any read of the recipient; a read that started before it lands after.
    const before = makeSpoolTails(25_000, 100)
    const started = before.readStarts()
    before.committed(R, 11)
    before.observed(R, 10, 0, started)
    expect(before.nothingAbove(R, 10, 1)).toBe(false)
  })

  it("trusts a read for a while only", () => {
    const tails = makeSpoolTails(25_000, 100)
    tails.observed(R, 10, 1_000, tails.readStarts())
    expect(tails.nothingAbove(R, 10, 25_999)).toBe(true)
    expect(tails.nothingAbove(R, 10, 26_000)).toBe(false)
    // A commit alone confirms nothing.
    const committedOnly = makeSpoolTails(25_000, 100)
    committedOnly.committed(R, 10)
    expect(committedOnly.nothingAbove(R, 10, 0)).toBe(false)
  })

  it("a read that began before the map started over sets no end (the commits it missed were forgotten)", () => {
    const tails = makeSpoolTails(25_000, 2)
    const started = tails.readStarts()
    tails.committed(R, 11)
    tails.committed(100, 1)
    tails.committed(101, 1) // full: starts over, forgetting R's commit
    tails.observed(R, 10, 0, started)
    expect(tails.nothingAbove(R, 10, 1)).toBe(false)
    const again = tails.readStarts()
    tails.observed(R, 11, 0, again)
    expect(tails.nothingAbove(R, 11, 1)).toBe(true)
  })

  it("paused (a replica whose LISTEN connection is away) keeps nothing; resumed, it starts from nothing", () => {
    const tails = makeSpoolTails(25_000, 100, true)
    tails.observed(R, 10, 0, tails.readStarts())
    tails.committed(R, 10)
    expect(tails.nothingAbove(R, 10, 1)).toBe(false)
    tails.resume()
    const started = tails.readStarts()
    tails.observed(R, 10, 0, started)
    expect(tails.nothingAbove(R, 10, 1)).toBe(true)
    // Paused mid-read: what that read saw sets nothing, even once resumed.
    const midRead = tails.readStarts()
    tails.pause()
    expect(tails.nothingAbove(R, 10, 1)).toBe(false)
    tails.resume()
    tails.observed(R, 12, 0, midRead)
    expect(tails.nothingAbove(R, 12, 1)).toBe(false)
  })

  it("a store that is not its spool's only writer always reads", () => {
    noTails.observed(R, 10, 0, noTails.readStarts())
    expect(noTails.nothingAbove(R, 10, 1)).toBe(false)
  })
})
