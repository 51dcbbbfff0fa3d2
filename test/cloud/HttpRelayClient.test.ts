import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import * as HttpRelayClient from "../../src/cloud/HttpRelayClient.js"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { parseRelayUrl } from "../../src/cloud/RelayUrl.js"
import { Store } from "../../src/services/store/Store.js"
import { cloudLayer, freshStore, makeFakeRelay } from "./support.js"

/** An HttpClient answering every request with `status` and `body`, recording the requests' URLs. */
const stub = (status: number, body: unknown, headers: Record<string, string> = {}, seen: Array<string> = []) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) =>
      Effect.sync(() => {
        seen.push(`${request.method} ${url.toString()} ${request.headers["authorization"] ?? ""}`)
        return HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })
        )
      })
    )
  )

const unreachable = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) =>
    Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("ECONNREFUSED") }))
  )
)

const client = (http: Layer.Layer<HttpClient.HttpClient>) =>
  Layer.provide(HttpRelayClient.layer("http://127.0.0.1:8788/base/"), http)

const codeOf = <A, R>(effect: Effect.Effect<A, { readonly code: string }, R>) =>
  Effect.map(Effect.flip(effect), (e) => e.code)

describe("relay URL", () => {
  it("https anywhere, http only on loopback, no credentials or query", () => {
    assert.deepStrictEqual(parseRelayUrl("https://relay.example.com/"), Either.right("https://relay.example.com"))
    assert.deepStrictEqual(parseRelayUrl("http://127.0.0.1:8788"), Either.right("http://127.0.0.1:8788"))
    assert.deepStrictEqual(parseRelayUrl("http://localhost:8788/x/"), Either.right("http://localhost:8788/x"))
    assert.deepStrictEqual(parseRelayUrl("http://[::1]:8788"), Either.right("http://[::1]:8788"))
    for (const bad of [
      "http://relay.example.com",
      "http://10.0.0.2",
      "ftp://x",
      "nonsense",
      "https://u:p@x",
      "https://x?a=1"
    ]) {
      const parsed = parseRelayUrl(bad)
      assert.isTrue(Either.isLeft(parsed), bad)
      if (Either.isLeft(parsed)) assert.strictEqual(parsed.left.code, "INVALID_ARGUMENT")
    }
  })
})

describe("HttpRelayClient", () => {
  it.effect("sends the bearer token to base URL + path and decodes the answer", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const inbox = yield* Effect.flatMap(RelayClient, (r) => r.inbox("tok", 4, 25)).pipe(
        Effect.provide(client(stub(200, { messages: [], cursor: 4 }, {}, seen)))
      )
      assert.deepStrictEqual(inbox, { messages: [], cursor: 4 })
      assert.deepStrictEqual(seen, ["GET http://127.0.0.1:8788/base/v1/inbox?after=4&wait=25 Bearer tok"])
    })
  )

  it.effect("asks GET /v1/sent/{id} for a message's relay-level state", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const answer = {
        id: "01JF0000000000000000000001",
        to: "acct_1",
        seq: 3,
        state: "delivered" as const,
        reason: null,
        updatedAt: 5
      }
      const status = yield* Effect.flatMap(RelayClient, (r) => r.sentStatus("tok", answer.id)).pipe(
        Effect.provide(client(stub(200, answer, {}, seen)))
      )
      assert.deepStrictEqual(status, answer)
      assert.deepStrictEqual(seen, [`GET http://127.0.0.1:8788/base/v1/sent/${answer.id} Bearer tok`])
    })
  )

  it.effect("maps each refusal to its tagged error and code", () =>
    Effect.gen(function* () {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        Effect.flatMap(RelayClient, (r) => r.contacts("tok")).pipe(Effect.provide(client(stub(status, body, headers))))
      const refusal = (code: string) => ({ code, message: "m", hint: "h" })
      assert.strictEqual(yield* codeOf(send(401, refusal("RELAY_AUTH"))), "RELAY_AUTH")
      assert.strictEqual(yield* codeOf(send(403, refusal("NOT_A_CONTACT"))), "NOT_A_CONTACT")
      assert.strictEqual(yield* codeOf(send(403, refusal("CONTACT_REVOKED"))), "CONTACT_REVOKED")
      assert.strictEqual(yield* codeOf(send(404, refusal("INVITE_INVALID"))), "INVITE_INVALID")
      assert.strictEqual(yield* codeOf(send(409, refusal("HANDLE_TAKEN"))), "HANDLE_TAKEN")
      assert.strictEqual(yield* codeOf(send(413, "not json at all")), "PAYLOAD_TOO_LARGE")
      assert.strictEqual(yield* codeOf(send(507, refusal("RECIPIENT_QUOTA"))), "RECIPIENT_QUOTA")
      assert.strictEqual(yield* codeOf(send(502, "bad gateway")), "RELAY_UNREACHABLE")
      assert.strictEqual(yield* codeOf(send(400, refusal("INVALID_ARGUMENT"))), "RELAY_REFUSED")
      assert.strictEqual(yield* codeOf(send(200, { unexpected: true })), "RELAY_PROTOCOL")
      const limited = yield* Effect.flip(send(429, refusal("RATE_LIMITED"), { "retry-after": "7" }))
      assert.strictEqual(limited._tag, "RateLimited")
      if (limited._tag === "RateLimited") assert.strictEqual(limited.retryAfterMs, 7000)
      const down = yield* Effect.flatMap(RelayClient, (r) => r.info).pipe(
        Effect.provide(client(unreachable)),
        Effect.flip
      )
      assert.strictEqual(down.code, "RELAY_UNREACHABLE")
    })
  )

  it.effect("refuses plain http to a host that is not loopback before any request", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const failed = yield* Effect.flip(
        Effect.flatMap(RelayClient, (r) => r.info).pipe(
          Effect.provide(Layer.provide(HttpRelayClient.layer("http://relay.example.com"), stub(200, {}, {}, seen)))
        )
      )
      assert.strictEqual(failed.code, "INVALID_ARGUMENT")
      assert.deepStrictEqual(seen, [])
    })
  )
})

describe("CloudHome key modes", () => {
  it.effect("refuses to run with a key file readable by the group or others", () =>
    Effect.gen(function* () {
      const base = yield* freshStore
      const loose = {
        ...base,
        stat: (path: string) =>
          Effect.map(
            base.stat(path),
            Option.map((s) => (path === CloudLayout.identityKey ? { ...s, mode: 0o644 } : s))
          )
      }
      yield* Effect.gen(function* () {
        const home = yield* CloudHome
        yield* home.checkKeyModes
        yield* home.writeIdentity(new Uint8Array(48))
        const exposed = yield* Effect.flip(home.checkKeyModes)
        assert.strictEqual(exposed._tag, "KeyFileExposed")
        assert.isTrue(Option.isSome(yield* Effect.flatMap(Store, (s) => s.stat(CloudLayout.identityKey))))
      }).pipe(Effect.provide(cloudLayer(loose, makeFakeRelay())))
    })
  )
})

describe("relay client: invites and refusals", () => {
  it.effect(
    "revokeInvite is DELETE /v1/invites/<base64url id>; a refusal's detail starts with the relay's code (key rotation reads EK_SEQ_STALE there)",
    () =>
      Effect.gen(function* () {
        const seen: Array<string> = []
        yield* Effect.gen(function* () {
          const relay = yield* RelayClient
          yield* relay.revokeInvite("tok", new Uint8Array(16).fill(255))
          const stale = yield* Effect.flip(
            Effect.provide(
              Effect.flatMap(RelayClient, (r) => r.redeemedInvites("tok")),
              client(stub(409, { code: "EK_SEQ_STALE", message: "seq 1 is not above 1" }))
            )
          )
          assert.strictEqual(stale._tag, "RelayRefused")
          assert.isTrue(stale.message.startsWith("EK_SEQ_STALE"), "the relay's code leads the detail")
        }).pipe(Effect.provide(client(stub(200, { revoked: true }, {}, seen))))
        assert.deepStrictEqual(seen, ["DELETE http://127.0.0.1:8788/base/v1/invites/_____________________w Bearer tok"])
      })
  )
})
