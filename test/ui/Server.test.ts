import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { Layout } from "../../src/domain/Layout.js"
import { layerFileSystem } from "../../src/platform/FileSystemStore.js"
import { layerSecureRandom, layerServer } from "../../src/platform/NodeUiServer.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { Store } from "../../src/services/Store.js"
import * as Live from "../../src/ui/Live.js"
import { start, type UiAddress } from "../../src/ui/Server.js"
import * as BridgeDashboard from "../../src/ui/BridgeDashboard.js"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { PNG, rawMessage, type Seeded, seed } from "./fixtures.js"
import { openEvents, request } from "./http.js"

const tempHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-ui-test-"))

const layers = (home: string, pid = 4242, alivePids: ReadonlyArray<number> = []) => {
  const infra = Layer.mergeAll(
    layerFileSystem(home),
    Lock.layerMemory,
    Ids.layer,
    HostEnv.layerMemory({ pid, alivePids })
  )
  return Layer.mergeAll(
    BridgeDashboard.layer.pipe(Layer.provideMerge(BridgeLayer)),
    Live.layer,
    layerSecureRandom
  ).pipe(Layer.provideMerge(infra))
}

/** Runs `f` against a dashboard serving `home` (seeded), then stops it. */
const withDashboard = <A>(
  home: string,
  f: (address: UiAddress, seeded: Seeded) => Effect.Effect<A, unknown, Store>,
  options: { pid?: number; port?: number } = {}
) =>
  Effect.gen(function* () {
    const seeded = yield* seed
    const address = yield* start(layerServer, { port: Option.fromNullable(options.port), open: false })
    return yield* f(address, seeded)
  }).pipe(Effect.scoped, Effect.provide(layers(home, options.pid)))

const get = (address: UiAddress, p: string, options: Parameters<typeof request>[2] = {}) =>
  Effect.promise(() => request(address.port, p, options))
const withToken = (address: UiAddress, p: string) => `${p}${p.includes("?") ? "&" : "?"}token=${address.token}`

/** Every file under `dir`, relative, with its size: a fingerprint of the stored state. */
const snapshot = (dir: string): Array<string> =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((d) => d.isFile())
    .map((d) => {
      const full = path.join(d.parentPath, d.name)
      return `${path.relative(dir, full)}:${fs.statSync(full).size}`
    })
    .sort()

describe("ui server", () => {
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

  it.live("lists sessions with online state and unread counts", () =>
    withDashboard(tempHome(), (address) =>
      Effect.gen(function* () {
        const body = JSON.parse((yield* get(address, withToken(address, "/api/sessions"))).body)
        const byLabel = new Map<string, any>(body.sessions.map((s: any) => [s.label, s]))
        assert.strictEqual(byLabel.get("alice").online, true)
        assert.strictEqual(byLabel.get("alice").summary, "writing the parser")
        assert.strictEqual(byLabel.get("bob").online, false)
        // alice: one reply in her inbox; bob: the first message and alice's live broadcast.
        assert.strictEqual(byLabel.get("alice").unread, 1)
        assert.strictEqual(byLabel.get("bob").unread, 2)
      })
    )
  )

  it.live("filters the timeline and returns whole threads oldest first", () =>
    withDashboard(tempHome(), (address, s) =>
      Effect.gen(function* () {
        const api = (p: string) => Effect.map(get(address, withToken(address, p)), (r) => JSON.parse(r.body))
        const all = yield* api("/api/messages")
        assert.strictEqual(all.messages.length, 4)
        const broadcasts = yield* api("/api/messages?kind=broadcast")
        assert.deepStrictEqual(
          broadcasts.messages.map((m: any) => m.subject),
          ["deploy freeze"]
        )
        const channel = yield* api("/api/messages?channel=build")
        assert.deepStrictEqual(
          channel.messages.map((m: any) => m.subject),
          ["green on main"]
        )
        const bob = yield* api(`/api/messages?session=${s.bob}`)
        assert.deepStrictEqual(
          bob.messages.map((m: any) => m.id),
          [s.reply, s.first]
        )
        assert.strictEqual(bob.messages[0].threadSize, 2)
        const thread = yield* api(`/api/threads/${s.first}`)
        assert.deepStrictEqual(
          thread.messages.map((m: any) => m.id),
          [s.first, s.reply]
        )
        const missing = yield* get(address, withToken(address, `/api/threads/${s.alice}`))
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(JSON.parse(missing.body).code, "THREAD_NOT_FOUND")
        const bad = yield* get(address, withToken(address, "/api/messages?kind=telegram"))
        assert.strictEqual(bad.status, 400)
        const live = yield* api("/api/broadcasts")
        assert.strictEqual(live.broadcasts.length, 1)
        assert.isAbove(live.broadcasts[0].remainingSec, 3500)
        const channels = yield* api("/api/channels")
        assert.deepStrictEqual(
          channels.channels.map((c: any) => [c.name, c.members.map((m: any) => m.label), c.messages]),
          [["build", ["alice"], 1]]
        )
        const found = yield* api("/api/search?q=parser")
        assert.deepStrictEqual(
          found.messages.map((m: any) => m.id),
          [s.reply, s.first]
        )
      })
    )
  )

  it.live("previews artifacts and serves their bytes sandboxed", () =>
    withDashboard(tempHome(), (address, s) =>
      Effect.gen(function* () {
        const api = (p: string) => Effect.map(get(address, withToken(address, p)), (r) => JSON.parse(r.body))
        const list = yield* api("/api/artifacts")
        assert.strictEqual(list.artifacts.length, 3)
        const bySha = new Map<string, any>(list.artifacts.map((a: any) => [a.sha256, a]))
        assert.strictEqual(bySha.get(s.png).postedByLabel, "alice")
        assert.strictEqual(bySha.get(s.png).mimeType, "image/png")
        assert.strictEqual(bySha.get(s.html).postedByLabel, "bob")
        const png = yield* api(`/api/artifacts/${s.png}/preview`)
        assert.strictEqual(png.preview, "image")
        const raw = yield* get(address, withToken(address, `/api/artifacts/${s.png}/raw`))
        assert.strictEqual(raw.headers["content-type"], "image/png")
        assert.strictEqual(Number(raw.headers["content-length"]), PNG.length)
        assert.include(String(raw.headers["content-security-policy"]), "sandbox")
        const text = yield* api(`/api/artifacts/${s.text}/preview`)
        assert.strictEqual(text.preview, "text")
        assert.strictEqual(text.text, "hello artifact\n")
        // A stored HTML file is never served as HTML on the dashboard's origin.
        const html = yield* get(address, withToken(address, `/api/artifacts/${s.html}/raw?download=1`))
        assert.match(String(html.headers["content-type"]), /^text\/plain/)
        assert.match(String(html.headers["content-disposition"]), /^attachment; filename="x.html"/)
        assert.strictEqual(
          (yield* get(address, withToken(address, `/api/artifacts/${"d".repeat(64)}/raw`))).status,
          404
        )
        assert.strictEqual((yield* get(address, withToken(address, "/api/artifacts/..%2F..%2Fetc/raw"))).status, 400)
      })
    )
  )

  it.live("streams a change event when a message file lands in an inbox", () =>
    withDashboard(tempHome(), (address, s) =>
      Effect.gen(function* () {
        const store = yield* Store
        const events = openEvents(address.port, withToken(address, "/events"))
        return yield* Effect.gen(function* () {
          yield* Effect.promise(() => events.until((t) => t.includes("event: hello")))
          assert.strictEqual(events.status(), 200)
          assert.match(String(events.contentType()), /^text\/event-stream/)
          const id = "01JDDDDDDDDDDDDDDDDDDDDDDD"
          const m = rawMessage(id, s.alice, s.bob, "live one")
          yield* store.write(Layout.inboxMessage(s.bob, id), JSON.stringify(m))
          const inbox = new RegExp(`event: change\\ndata: ([^\\n]*"${Layout.inboxDir(s.bob)}"[^\\n]*)\\n`)
          yield* Effect.promise(() => events.until((t) => inbox.test(t)))
          const data = JSON.parse(inbox.exec(events.text())![1]!)
          assert.include(data.topics, "messages")
          assert.include(data.topics, "sessions")
        }).pipe(Effect.ensuring(Effect.sync(() => events.close())))
      })
    )
  )

  it.live("stops promptly while a page holds an event stream open", () =>
    Effect.gen(function* () {
      let events: ReturnType<typeof openEvents> | undefined
      yield* withDashboard(tempHome(), (address) =>
        Effect.gen(function* () {
          events = openEvents(address.port, withToken(address, "/events"))
          yield* Effect.promise(() => events!.until((t) => t.includes("event: hello")))
        })
      )
      yield* Effect.sleep("100 millis")
      assert.isTrue(events!.ended())
    })
  )

  it.live("follows inboxes created after it started", () =>
    withDashboard(tempHome(), (address, s) => {
      const events = openEvents(address.port, withToken(address, "/events"))
      return Effect.gen(function* () {
        const store = yield* Store
        yield* Effect.promise(() => events.until((t) => t.includes("event: hello")))
        // A session with no inbox directory yet.
        const newcomer = "01JZZZZZZZZZZZZZZZZZZZZZZZ"
        const first = "01JDDDDDDDDDDDDDDDDDDDDDD1"
        const second = "01JDDDDDDDDDDDDDDDDDDDDDD2"
        const m = (id: string) => JSON.stringify(rawMessage(id, s.alice, newcomer, id))
        yield* store.write(Layout.inboxMessage(newcomer, first), m(first))
        yield* Effect.promise(() => events.until((t) => t.includes('"inbox"') || t.includes(`"inbox/${newcomer}"`)))
        // The new inbox directory is now followed: a second file there is seen as a change in it.
        yield* Effect.sleep("300 millis")
        const before = events.text().length
        yield* store.write(Layout.inboxMessage(newcomer, second), m(second))
        yield* Effect.promise(() => events.until((t) => t.slice(before).includes(`"inbox/${newcomer}"`)))
      }).pipe(Effect.ensuring(Effect.sync(() => events.close())))
    })
  )

  it.live("falls back to a free port and a fresh token when the remembered port is taken", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const first = yield* withDashboard(home, (a) => Effect.succeed(a), { pid: 1111 })
      const squatter = http.createServer()
      yield* Effect.async<void>((resume) => void squatter.listen(first.port, "127.0.0.1", () => resume(Effect.void)))
      const second = yield* withDashboard(home, (a) => Effect.succeed(a), { pid: 2222 }).pipe(
        Effect.ensuring(Effect.sync(() => squatter.close()))
      )
      assert.notStrictEqual(second.port, first.port)
      assert.notStrictEqual(second.token, first.token)
    })
  })

  it.live("a restart on the same port keeps the token, so open pages reconnect", () => {
    const home = tempHome()
    return Effect.gen(function* () {
      const first = yield* withDashboard(home, (a) => Effect.succeed(a), { pid: 1111 })
      const second = yield* withDashboard(home, (a) => Effect.succeed(a), { pid: 2222 })
      assert.strictEqual(second.port, first.port)
      assert.strictEqual(second.token, first.token)
      // While the previous server still runs (its pid alive), a new one draws a fresh token and port.
      const third = yield* start(layerServer, { port: Option.none(), open: false }).pipe(
        Effect.scoped,
        Effect.provide(layers(home, 3333, [2222]))
      )
      assert.notStrictEqual(third.token, first.token)
    })
  })
})
