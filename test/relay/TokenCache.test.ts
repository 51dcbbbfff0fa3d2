import { assert, describe, it } from "@effect/vitest"
import { makeTokenCache } from "../../src/relay/TokenCache.js"

describe("TokenCache", () => {
  it("answers a token until its entry is older than ttlMs", () => {
    const cache = makeTokenCache(1_000)
    cache.set("aa", 7, cache.generation(), 0)
    assert.strictEqual(cache.get("aa", 999), 7)
    assert.isUndefined(cache.get("aa", 1_000))
    assert.isUndefined(cache.get("bb", 0))
  })

  it("a revoked token, or every token of an account, is dropped at once", () => {
    const cache = makeTokenCache(60_000)
    cache.set("t1", 1, cache.generation(), 0)
    cache.set("t2", 1, cache.generation(), 0)
    cache.set("t3", 2, cache.generation(), 0)
    cache.dropToken("t1")
    assert.isUndefined(cache.get("t1", 1))
    assert.strictEqual(cache.get("t2", 1), 1)
    cache.dropAccount(1)
    assert.isUndefined(cache.get("t2", 1))
    assert.strictEqual(cache.get("t3", 1), 2)
  })

  it("a lookup that started before a revoke never fills the cache with what it read", () => {
    const cache = makeTokenCache(60_000)
    const seen = cache.generation()
    // ... the database read happens here, then the revoke commits and drops ...
    cache.dropAccount(3)
    cache.set("t", 3, seen, 0)
    assert.isUndefined(cache.get("t", 1))
    assert.strictEqual(cache.size(), 0)
  })

  it("paused, it answers and keeps nothing; resumed, it starts empty and lookups from before fill nothing", () => {
    const cache = makeTokenCache(60_000, 10, true)
    cache.set("t", 1, cache.generation(), 0)
    assert.isUndefined(cache.get("t", 1))
    const before = cache.generation()
    cache.resume()
    cache.set("t", 1, before, 0)
    assert.isUndefined(cache.get("t", 1))
    cache.set("t", 1, cache.generation(), 0)
    assert.strictEqual(cache.get("t", 1), 1)
    cache.pause()
    assert.isUndefined(cache.get("t", 1))
    cache.resume()
    assert.strictEqual(cache.size(), 0)
  })

  it("ttlMs 0 never caches; a full cache lets its oldest entry go", () => {
    const off = makeTokenCache(0)
    off.set("t", 1, off.generation(), 0)
    assert.isUndefined(off.get("t", 0))
    const small = makeTokenCache(60_000, 2)
    for (const [key, id] of [
      ["a", 1],
      ["b", 2],
      ["c", 3]
    ] as const)
      small.set(key, id, small.generation(), 0)
    assert.strictEqual(small.size(), 2)
    assert.isUndefined(small.get("a", 1))
    assert.strictEqual(small.get("c", 1), 3)
  })
})
