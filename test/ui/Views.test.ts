import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PNG } from "./fixtures.js"
import { get, tempHome, withDashboard, withToken } from "./harness.js"

describe("ui server: views", () => {
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
})
