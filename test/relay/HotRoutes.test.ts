import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import { searchParams } from "../../src/relay/RequestView.js"
import {
  type Answer,
  call,
  type Member,
  newMessageId,
  type Relay,
  sealed,
  startPair,
  stopRelay
} from "./relayProcess.js"

/** What a client sees of an answer: status, body and the headers the relay sets. */
const seen = (a: Answer) => ({
  status: a.status,
  body: a.body,
  type: a.headers.get("content-type"),
  length: a.headers.get("content-length"),
  retryAfter: a.headers.get("retry-after")
})

/** A body streamed without a declared length (chunked), `size` bytes of JSON-ish text. */
const streamed = async (url: string, route: string, token: string, size: number) => {
  const chunk = new TextEncoder().encode("x".repeat(1024))
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (sent >= size) return controller.close()
      sent += chunk.length
      controller.enqueue(chunk)
    }
  })
  const res = await fetch(`${url}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: stream,
    duplex: "half"
  } as RequestInit)
  return { status: res.status, body: JSON.parse(await res.text()), headers: res.headers }
}

/**
 * The hot routes (POST /v1/messages, GET /v1/inbox, POST /v1/inbox/ack) are served in front of the router: their
 * refusals must be the router's, byte for byte, with the same log line.
 */
describe("relay hot routes (SQLite process)", () => {
  let relay: Relay
  let url: string
  let alice: Member
  let bob: Member

  beforeAll(async () => {
    ;({ relay, url, alice, bob } = await startPair("sb-relay-hot-", "hot-a", "hot-b"))
  })
  afterAll(async () => {
    if (relay) assert.strictEqual(await stopRelay(relay), 0)
  })

  it("a bad or missing token answers what the router answers", async () => {
    const wrong = toBase64Url(new Uint8Array(32).fill(9))
    const routed = seen(await call(url, "GET", `/v1/sent/${newMessageId()}`, { token: wrong }))
    assert.strictEqual(routed.status, 401)
    for (const [method, route] of [
      ["POST", "/v1/messages"],
      ["GET", "/v1/inbox"],
      ["POST", "/v1/inbox/ack"]
    ] as const) {
      const body = method === "POST" ? { body: { upTo: 1 } } : {}
      assert.deepStrictEqual(seen(await call(url, method, route, { token: wrong, ...body })), routed)
      assert.deepStrictEqual(seen(await call(url, method, route, { headers: { authorization: "Basic x" } })), routed)
    }
  })

  it("malformed JSON and a body off the schema are 400 INVALID_ARGUMENT as on the router", async () => {
    const raw = new TextEncoder().encode("{not json")
    const routed = seen(await call(url, "POST", "/v1/invites", { token: alice.token, raw }))
    assert.strictEqual(routed.status, 400)
    assert.deepStrictEqual(seen(await call(url, "POST", "/v1/inbox/ack", { token: alice.token, raw })), routed)
    assert.deepStrictEqual(seen(await call(url, "POST", "/v1/messages", { token: alice.token, raw })), routed)
    const negative = await call(url, "POST", "/v1/inbox/ack", { token: alice.token, body: { upTo: -1 } })
    assert.strictEqual(negative.status, 400)
    assert.strictEqual(negative.body.code, "INVALID_ARGUMENT")
    assert.match(negative.body.message, /^bad request: upTo: /)
    const query = await call(url, "GET", "/v1/inbox?after=-3", { token: alice.token })
    assert.strictEqual(query.status, 400)
    assert.strictEqual(query.body.message, "bad request: after is a whole number ≥ 0, wait seconds ≥ 0")
  })

  it("an oversized body is 413 PAYLOAD_TOO_LARGE, declared or streamed, and the relay keeps serving", async () => {
    const declared = await call(url, "POST", "/v1/inbox/ack", {
      token: alice.token,
      body: { upTo: 1, pad: "x".repeat(2000) }
    })
    assert.strictEqual(declared.status, 413)
    assert.deepStrictEqual(declared.body, {
      code: "PAYLOAD_TOO_LARGE",
      message: "the request body is over its cap of 1024 bytes",
      hint: "Sealed envelopes are at most 512 KiB decoded; artifacts 10 MiB."
    })
    const chunked = await streamed(url, "/v1/inbox/ack", alice.token, 8 * 1024)
    assert.strictEqual(chunked.status, 413)
    assert.deepStrictEqual(chunked.body, declared.body)
    const big = await streamed(url, "/v1/messages", alice.token, 1024 * 1024 + 4096)
    assert.strictEqual(big.status, 413)
    assert.strictEqual(big.body.code, "PAYLOAD_TOO_LARGE")
    const ok = await call(url, "POST", "/v1/inbox/ack", { token: alice.token, body: { upTo: 0 } })
    assert.strictEqual(ok.status, 200)
  })

  it("sends past the limit are 429 with Retry-After; the retry of a stored id is still a duplicate", async () => {
    const first = await sealed(alice, bob, "first")
    const stored = await call(url, "POST", "/v1/messages", { token: alice.token, body: first })
    assert.strictEqual(stored.status, 201)
    assert.strictEqual(stored.headers.get("content-type"), "application/json")
    let limited: Answer | undefined
    for (let i = 0; i < 40 && limited === undefined; i++) {
      const res = await call(url, "POST", "/v1/messages", {
        token: alice.token,
        body: await sealed(alice, bob, `m${i}`)
      })
      if (res.status === 429) limited = res
      else assert.strictEqual(res.status, 201)
    }
    assert.isDefined(limited)
    assert.strictEqual(limited!.body.code, "RATE_LIMITED")
    assert.match(limited!.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/)
    const retry = await call(url, "POST", "/v1/messages", { token: alice.token, body: first })
    assert.deepStrictEqual(retry.body, { seq: stored.body.seq, duplicate: true })
  })

  it("each hot request writes the router's log line: method, path without the query, status, ms", async () => {
    await call(url, "GET", "/v1/inbox?after=0&wait=0", { token: bob.token })
    // Log lines are written once per event-loop turn: wait for it.
    let line: Record<string, unknown> | undefined
    for (let i = 0; i < 50 && line === undefined; i++) {
      line = relay
        .stderr()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l["event"] === "request" && l["path"] === "/v1/inbox" && l["status"] === 200)
      if (line === undefined) await new Promise((r) => setTimeout(r, 100))
    }
    assert.isDefined(line)
    assert.strictEqual(line!["method"], "GET")
    assert.isNumber(line!["ms"])
  })
})

describe("searchParams", () => {
  it("reads a query as the platform's request does (repeated keys, escapes, no query)", () => {
    for (const url of ["/v1/inbox", "/v1/inbox?", "/v1/inbox?after=3&wait=0", "/x?a=1&a=2&a=3&b=%20c+d", "/x?=&k"]) {
      assert.deepStrictEqual(searchParams(url), HttpServerRequest.searchParamsFromURL(new URL(url, "http://h")), url)
    }
  })
})
