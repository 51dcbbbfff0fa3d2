import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as http from "node:http"
import { Layout } from "../../src/domain/Layout.js"
import { layerServer } from "../../src/platform/NodeUiServer.js"
import { Store } from "../../src/services/store/Store.js"
import { start } from "../../src/ui/Server.js"
import { rawMessage } from "./fixtures.js"
import { layers, tempHome, withDashboard, withToken } from "./harness.js"
import { openEvents } from "./http.js"

describe("ui server: live updates and restarts", () => {
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
      const third = yield* start(layerServer, { port: Option.none() }).pipe(
        Effect.scoped,
        Effect.provide(layers(home, 3333, [2222]))
      )
      assert.notStrictEqual(third.token, first.token)
    })
  })
})
