import { assert, describe, it } from "@effect/vitest"
import { check, offeredToken, sameToken } from "../../src/ui/Guard.js"

const base = { method: "GET", host: "127.0.0.1:4000", token: "t0ken", expectedToken: "t0ken", port: 4000 }

describe("ui guard", () => {
  it("accepts GET with the token on 127.0.0.1 or localhost at its own port", () => {
    assert.isUndefined(check(base))
    assert.isUndefined(check({ ...base, host: "localhost:4000" }))
    assert.isUndefined(check({ ...base, host: "LOCALHOST:4000" }))
  })

  it("checks the Host first, then the token, then the method", () => {
    assert.strictEqual(check({ ...base, host: "evil.test:4000", token: undefined, method: "POST" })?.status, 421)
    assert.strictEqual(check({ ...base, token: undefined, method: "POST" })?.status, 403)
    assert.strictEqual(check({ ...base, method: "POST" })?.status, 405)
    for (const host of [
      undefined,
      "",
      "127.0.0.1",
      "127.0.0.1:4001",
      "127.0.0.2:4000",
      "localhost.evil.test:4000",
      "[::1]:4000"
    ]) {
      assert.strictEqual(check({ ...base, host })?.status, 421, String(host))
    }
  })

  it("compares tokens exactly", () => {
    assert.isTrue(sameToken("abc", "abc"))
    assert.isFalse(sameToken("abd", "abc"))
    assert.isFalse(sameToken("ab", "abc"))
    assert.isFalse(sameToken("abcd", "abc"))
    assert.isFalse(sameToken("", "abc"))
  })

  it("reads the token from the query, else from a Bearer header", () => {
    assert.strictEqual(offeredToken("/api/sessions?token=xyz&limit=3", undefined), "xyz")
    assert.strictEqual(offeredToken("/api/sessions", "Bearer xyz"), "xyz")
    assert.strictEqual(offeredToken("/api/sessions?token=", "Bearer xyz"), "xyz")
    assert.isUndefined(offeredToken("/api/sessions", "Basic eHl6"))
    assert.isUndefined(offeredToken("/", undefined))
  })
})
