import { assert, describe, it } from "@effect/vitest"
import { BROADCAST_TTL_MAX_SEC, mayBeLiveBroadcast } from "../../src/domain/BroadcastAge.js"
import { encodeTime } from "../../src/domain/UlidTime.js"

const DAY = 24 * 3600 * 1000
const named = (ms: number) => `${encodeTime(ms)}${"0".repeat(16)}.json`

describe("mayBeLiveBroadcast", () => {
  it("judges by the time in the name: the longest TTL and a day, then expired", () => {
    const now = Date.parse("2026-12-06T12:00:00Z")
    const limit = BROADCAST_TTL_MAX_SEC * 1000 + DAY
    assert.isTrue(mayBeLiveBroadcast(named(now), now))
    assert.isTrue(mayBeLiveBroadcast(named(now - limit + 1), now))
    assert.isFalse(mayBeLiveBroadcast(named(now - limit), now))
    assert.isFalse(mayBeLiveBroadcast(named(now - 365 * DAY), now))
    // A clock set back: a name from the future may be live.
    assert.isTrue(mayBeLiveBroadcast(named(now + 30 * DAY), now))
  })

  it("a name that is not an id is left to reading", () => {
    const now = Date.parse("2026-12-06T12:00:00Z")
    for (const name of [
      "notes.json",
      "0000.json",
      "01j00000000000000000000000.json",
      "81J00000000000000000000000.json"
    ])
      assert.isTrue(mayBeLiveBroadcast(name, now))
  })
})
