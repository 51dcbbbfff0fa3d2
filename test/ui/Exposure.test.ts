import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as os from "node:os"
import { get, snapshot, tempHome, withDashboard, withToken } from "./harness.js"
import { request } from "./http.js"

describe("ui server: exposure", () => {
  it.live("binds 127.0.0.1 only and prints a URL with a random token", () =>
    withDashboard(tempHome(), (address) =>
      Effect.gen(function* () {
        assert.strictEqual(address.host, "127.0.0.1")
        assert.match(address.url, new RegExp(`^http://127\\.0\\.0\\.1:${address.port}/\\?token=[0-9a-f]{48}$`))
        const ok = yield* get(address, withToken(address, "/"))
        assert.strictEqual(ok.status, 200)
        // Any other address of this machine is refused: the socket listens on loopback only.
        const others = Object.values(os.networkInterfaces())
          .flat()
          .filter((i) => i !== undefined && i.family === "IPv4" && !i.internal)
        for (const other of others) {
          const refused = yield* Effect.promise(() =>
            request(address.port, "/", { address: other!.address }).then(
              () => "connected",
              (e: NodeJS.ErrnoException) => e.code
            )
          )
          assert.strictEqual(refused, "ECONNREFUSED")
        }
      })
    )
  )

  it.live("answers 403 without the right token, on every route", () =>
    withDashboard(tempHome(), (address, s) =>
      Effect.gen(function* () {
        for (const p of ["/", "/app.js", "/api/sessions", "/events", `/api/artifacts/${s.png}/raw`]) {
          assert.strictEqual((yield* get(address, p)).status, 403, p)
          assert.strictEqual((yield* get(address, `${p}?token=${"0".repeat(48)}`)).status, 403, p)
          assert.strictEqual((yield* get(address, `${p}?token=${address.token.slice(0, 47)}`)).status, 403, p)
        }
        const bearer = yield* get(address, "/api/sessions", { headers: { authorization: `Bearer ${address.token}` } })
        assert.strictEqual(bearer.status, 200)
      })
    )
  )

  it.live("rejects a foreign Host header (DNS rebinding)", () =>
    withDashboard(tempHome(), (address) =>
      Effect.gen(function* () {
        const p = withToken(address, "/api/sessions")
        for (const host of [
          "evil.example",
          `evil.example:${address.port}`,
          `127.0.0.1:${address.port + 1}`,
          "127.0.0.1",
          `[::1]:${address.port}`,
          `0.0.0.0:${address.port}`
        ]) {
          const reply = yield* get(address, p, { host })
          assert.strictEqual(reply.status, 421, host)
          assert.notInclude(reply.body, "alice")
        }
        // Node itself answers a request without Host with 400; either way nothing is served.
        assert.include([400, 421], (yield* get(address, p, { host: null })).status)
        assert.strictEqual((yield* get(address, p, { host: `localhost:${address.port}` })).status, 200)
        assert.strictEqual((yield* get(address, p, { host: `127.0.0.1:${address.port}` })).status, 200)
      })
    )
  )

  it.live("has no state-changing routes: every other method is 405 and the store is untouched", () => {
    const home = tempHome()
    return withDashboard(home, (address, s) =>
      Effect.gen(function* () {
        const before = snapshot(home)
        for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"]) {
          for (const p of ["/", "/api/sessions", `/api/artifacts/${s.png}/raw`, "/api/messages", "/nope"]) {
            const reply = yield* get(address, withToken(address, p), { method })
            assert.strictEqual(reply.status, 405, `${method} ${p}`)
            assert.strictEqual(reply.headers["allow"], "GET")
          }
        }
        assert.deepStrictEqual(snapshot(home), before)
      })
    )
  })

  it.live("serves the page and its assets with a strict content security policy", () =>
    withDashboard(tempHome(), (address) =>
      Effect.gen(function* () {
        const page = yield* get(address, withToken(address, "/"))
        assert.include(page.body, `/app.js?token=${address.token}`)
        assert.include(String(page.headers["content-security-policy"]), "default-src 'none'")
        assert.strictEqual(page.headers["x-content-type-options"], "nosniff")
        const js = yield* get(address, withToken(address, "/app.js"))
        assert.match(String(js.headers["content-type"]), /^text\/javascript/)
        assert.include(js.body, "EventSource")
        assert.notInclude(js.body + page.body, "http://")
        assert.notInclude(js.body + page.body, "https://")
        const css = yield* get(address, withToken(address, "/app.css"))
        assert.include(css.body, "prefers-color-scheme: dark")
      })
    )
  )
})
