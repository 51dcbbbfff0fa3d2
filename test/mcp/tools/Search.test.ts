import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { broadcast } from "../../../src/mcp/tools/BroadcastTools.js"
import { joinChannel } from "../../../src/mcp/tools/ChannelTools.js"
import { readMessage, sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { search } from "../../../src/mcp/tools/SearchTools.js"
import { call, codeOf, memoryBridge, register } from "../../bridge/support.js"

const subjects = (r: { results: Array<{ subject: string }> }) => r.results.map((h) => h.subject)

describe("search", () => {
  it.effect("subject and body of the inbox, joined channels and live broadcasts; newest first", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const carol = yield* register("carol")
      yield* call(joinChannel, alice, { channel: "#dev" })
      yield* call(sendMessage, alice, { to: { channel: "#dev" }, subject: "parser before bob joined", body: "tokens" })
      yield* call(joinChannel, bob, { channel: "#dev" })
      yield* TestClock.adjust("1 second")
      yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "review", body: "The Parser fails on tabs" })
      yield* TestClock.adjust("1 second")
      yield* call(broadcast, carol, { subject: "parser freeze", ttlSec: 10 })
      yield* call(sendMessage, alice, { to: { label: "carol" }, subject: "parser secret for carol" })
      assert.deepStrictEqual(subjects(yield* call(search, bob, { query: "PARSER" })), [
        "parser freeze",
        "review",
        "parser before bob joined"
      ])
      assert.deepStrictEqual(subjects(yield* call(search, bob, { query: "parser tabs" })), ["review"])
      assert.deepStrictEqual(subjects(yield* call(search, bob, { query: "parser", limit: 1 })), ["parser freeze"])
      assert.strictEqual((yield* call(search, bob, { query: "tabs" })).results[0].snippet, "The Parser fails on tabs")
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(subjects(yield* call(search, bob, { query: "freeze" })), [])
      assert.strictEqual(yield* codeOf(call(search, bob, { query: "   " })), "INVALID_ARGUMENT")
      assert.strictEqual(yield* codeOf(call(search, bob, { query: "x", limit: 5000 })), "INVALID_ARGUMENT")
    }).pipe(Effect.provide(memoryBridge()))
  )

  it.effect("agrees with a plain scan on many messages (any term order, repeated words, limits)", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const words = ["alpha", "beta", "gamma", "delta", "alphabet"]
      const sent: Array<{ id: string; text: string }> = []
      for (let i = 0; i < 60; i++) {
        const subject = `${words[i % 5]} ${words[(i * 3) % 5]} #${i}`
        const body = i % 4 === 0 ? "alpha alpha beta" : `${words[(i * 7) % 5]}`
        const r = yield* call(sendMessage, alice, { to: { label: "bob" }, subject, body })
        sent.push({ id: r.messageId, text: `${subject}\n${body}`.toLowerCase() })
      }
      for (const query of ["alpha", "beta alpha", "alphabet gamma", "delta #1", "zeta", "ALPHA beta #4"]) {
        for (const limit of [1, 7, 100]) {
          const terms = query.toLowerCase().split(" ")
          const expected = sent
            .filter((m) => terms.every((t) => m.text.includes(t)))
            .map((m) => m.id)
            .reverse()
            .slice(0, limit)
          const got = (yield* call(search, bob, { query, limit })).results.map((r: { id: string }) => r.id)
          assert.deepStrictEqual(got, expected, `${query} / ${limit}`)
        }
      }
      // Each hit is the message as read in full, cut to a hit: its head fields, and the body as `snippet`. A search
      // shown again (hits made once per envelope) gives the same JSON.
      const long = yield* call(sendMessage, alice, { to: { label: "bob" }, subject: "long one", body: "z".repeat(300) })
      const hitKeys = ["id", "kind", "from", "channel", "subject", "createdAt", "threadId", "expiresAt", "origin"]
      for (const query of ["alpha", "long"]) {
        const first = (yield* call(search, bob, { query, limit: 100 })).results
        assert.deepStrictEqual((yield* call(search, bob, { query, limit: 100 })).results, first)
        for (const hit of first) {
          const full = yield* call(readMessage, bob, { id: hit.id })
          const head = Object.fromEntries(hitKeys.filter((k) => k in full).map((k) => [k, full[k]]))
          const body: string = full.body
          const snippet = body.length > 200 ? `${body.slice(0, 200)}…` : body
          assert.deepStrictEqual(hit, { ...head, snippet }, hit.id)
        }
        if (query === "long")
          assert.deepStrictEqual(
            first.map((h: { id: string }) => h.id),
            [long.messageId]
          )
      }
    }).pipe(Effect.provide(memoryBridge({ env: { SESSION_BRIDGE_MAX_BACKLOG: "100" } })))
  )
})
