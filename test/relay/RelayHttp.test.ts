import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import {
  call,
  connect,
  invite,
  type Member,
  nextAddress,
  redeem,
  register,
  registrationBody,
  type Relay,
  sealed,
  startPair,
  startRelay,
  stopRelay,
  tempDir
} from "./relayProcess.js"

/** The first log line naming `event`, waiting up to 5 s for it. */
const logLine = async (relay: Relay, event: string) => {
  for (let i = 0; i < 50; i++) {
    const line = relay
      .stderr()
      .split("\n")
      .find((l) => l.includes(`"event":"${event}"`))
    if (line !== undefined) return line
    await new Promise((r) => setTimeout(r, 100))
  }
  return undefined
}

/** The relay's HTTP API through a real `node dist/relay/bin.js` process on SQLite. */
describe("relay HTTP (SQLite)", () => {
  let relay: Relay
  let url: string
  let alice: Member
  let bob: Member

  beforeAll(async () => {
    ;({ relay, url, alice, bob } = await startPair("sb-relay-", "alice", "bob"))
  })
  afterAll(async () => {
    if (relay) assert.strictEqual(await stopRelay(relay), 0)
  })

  it("no token and a wrong token are both 401 RELAY_AUTH", async () => {
    const none = await call(url, "GET", "/v1/inbox")
    assert.strictEqual(none.status, 401)
    assert.strictEqual(none.body.code, "RELAY_AUTH")
    assert.isString(none.body.hint)
    const wrong = await call(url, "GET", "/v1/inbox", { token: toBase64Url(new Uint8Array(32).fill(7)) })
    assert.strictEqual(wrong.status, 401)
    assert.deepStrictEqual(wrong.body, none.body)
  })

  it("a stranger's send is 403 NOT_A_CONTACT", async () => {
    const mallory = await register(url, "mallory")
    const res = await call(url, "POST", "/v1/messages", { token: mallory.token, body: await sealed(mallory, alice) })
    assert.strictEqual(res.status, 403)
    assert.strictEqual(res.body.code, "NOT_A_CONTACT")
  })

  it("a parked long-poll returns within milliseconds of a send, with from stamped by the relay", async () => {
    const before = await call(url, "GET", "/v1/inbox", { token: bob.token })
    const cursor = before.body.cursor as number
    const started = Date.now()
    const poll = call(url, "GET", `/v1/inbox?after=${cursor}&wait=20`, { token: bob.token })
    await new Promise((r) => setTimeout(r, 300))
    const envelope = await sealed(alice, bob, "wake up")
    const sentAt = Date.now()
    const sent = await call(url, "POST", "/v1/messages", { token: alice.token, body: envelope })
    assert.strictEqual(sent.status, 201)
    const got = await poll
    const wokeMs = Date.now() - sentAt
    assert.strictEqual(got.status, 200)
    assert.strictEqual(got.body.messages.length, 1)
    const m = got.body.messages[0]
    assert.strictEqual(m.from, alice.accountId)
    assert.strictEqual(m.id, envelope.id)
    assert.strictEqual(m.ct, envelope.ct)
    assert.strictEqual(m.seq, sent.body.seq)
    assert.isBelow(wokeMs, 1_000, `woke ${wokeMs} ms after the send`)
    assert.isBelow(Date.now() - started, 5_000)
    // The next poll acks it: the row is gone and the sender sees it delivered.
    const next = await call(url, "GET", `/v1/inbox?after=${m.seq}`, { token: bob.token })
    assert.strictEqual(next.body.messages.length, 0)
    const status = await call(url, "GET", `/v1/sent/${envelope.id}`, { token: alice.token })
    assert.strictEqual(status.body.state, "delivered")
  })

  it("a retried send gets the same seq with duplicate:true and stores no second row", async () => {
    const envelope = await sealed(alice, bob, "once")
    const first = await call(url, "POST", "/v1/messages", { token: alice.token, body: envelope })
    const again = await call(url, "POST", "/v1/messages", { token: alice.token, body: envelope })
    assert.strictEqual(first.status, 201)
    assert.strictEqual(again.status, 200)
    assert.deepStrictEqual(again.body, { seq: first.body.seq, duplicate: true })
    const inbox = await call(url, "GET", "/v1/inbox", { token: bob.token })
    assert.strictEqual(inbox.body.messages.filter((m: { id: string }) => m.id === envelope.id).length, 1)
    await call(url, "POST", "/v1/inbox/ack", { token: bob.token, body: { upTo: inbox.body.cursor } })
  })

  it("an envelope over 512 KiB of ct is 413 PAYLOAD_TOO_LARGE, one at the cap is stored", async () => {
    const envelope = await sealed(alice, bob, "x")
    const at = { ...envelope, id: (await sealed(alice, bob)).id, ct: toBase64Url(new Uint8Array(512 * 1024)) }
    const over = { ...envelope, ct: toBase64Url(new Uint8Array(512 * 1024 + 1)) }
    const big = await call(url, "POST", "/v1/messages", { token: alice.token, body: over })
    assert.strictEqual(big.status, 413)
    assert.strictEqual(big.body.code, "PAYLOAD_TOO_LARGE")
    const ok = await call(url, "POST", "/v1/messages", { token: alice.token, body: at })
    assert.strictEqual(ok.status, 201)
    const tooFar = { ...envelope, id: (await sealed(alice, bob)).id, exp: Math.floor(Date.now() / 1000) + 8 * 86_400 }
    assert.strictEqual((await call(url, "POST", "/v1/messages", { token: alice.token, body: tooFar })).status, 400)
  })

  it("an invite redeemed twice, expired or unknown answers the same 404 INVITE_INVALID", async () => {
    const carol = await register(url, "carol")
    const dave = await register(url, "dave")
    const used = await invite(url, carol)
    assert.strictEqual((await redeem(url, dave, used)).status, 200)
    const twice = await call(url, "POST", `/v1/invites/${used.id}/redeem`, {
      token: dave.token,
      body: { reply: toBase64Url(new Uint8Array(64)) }
    })
    const unknown = await call(url, "GET", `/v1/invites/${toBase64Url(new Uint8Array(16).fill(9))}`, {
      token: dave.token
    })
    const malformed = await call(url, "GET", "/v1/invites/not-an-id", { token: dave.token })
    const soon = await invite(url, carol, Date.now() + 1_200)
    await new Promise((r) => setTimeout(r, 1_500))
    const expired = await call(url, "GET", `/v1/invites/${soon.id}`, { token: dave.token })
    for (const res of [twice, unknown, malformed, expired]) {
      assert.strictEqual(res.status, 404)
      assert.deepStrictEqual(res.body, twice.body)
    }
    assert.strictEqual(twice.body.code, "INVITE_INVALID")
  })

  it("revoke: 403 CONTACT_REVOKED afterwards, and the unfetched rows are gone", async () => {
    const erin = await register(url, "erin")
    const frank = await register(url, "frank")
    await connect(url, erin, frank)
    const pending = await sealed(erin, frank, "never read")
    assert.strictEqual((await call(url, "POST", "/v1/messages", { token: erin.token, body: pending })).status, 201)
    const revoked = await call(url, "POST", `/v1/contacts/${erin.handle}/revoke`, { token: frank.token })
    assert.strictEqual(revoked.status, 200)
    assert.strictEqual(revoked.body.deletedMessages, 1)
    const inbox = await call(url, "GET", "/v1/inbox", { token: frank.token })
    assert.deepStrictEqual(inbox.body.messages, [])
    const after = await call(url, "POST", "/v1/messages", { token: erin.token, body: await sealed(erin, frank) })
    assert.strictEqual(after.status, 403)
    assert.strictEqual(after.body.code, "CONTACT_REVOKED")
    const status = await call(url, "GET", `/v1/sent/${pending.id}`, { token: erin.token })
    assert.strictEqual(status.body.state, "refused")
    assert.strictEqual(status.body.reason, "revoked")
  })

  it("contacts list each contact's identity key and signed encryption-key record", async () => {
    const res = await call(url, "GET", "/v1/contacts", { token: alice.token })
    const entry = res.body.contacts.find((c: { handle: string }) => c.handle === bob.handle)
    assert.strictEqual(entry.state, "active")
    assert.strictEqual(entry.accountId, bob.accountId)
    assert.strictEqual(entry.ikPub, toBase64Url(bob.identity.publicKey))
    assert.strictEqual(entry.ek.keyId, bob.ek.record.keyId)
    assert.strictEqual(entry.ek.sig, toBase64Url(bob.ek.record.sig))
  })

  it("blobs: the hash is checked, grantees read them, anyone else gets 404", async () => {
    const data = new Uint8Array(200_000).map((_, i) => i % 251)
    const hash = Buffer.from(await crypto.subtle.digest("SHA-256", data)).toString("hex")
    const wrong = await call(url, "PUT", `/v1/blobs/${"0".repeat(64)}`, {
      token: alice.token,
      raw: data,
      headers: { "x-sb-grant": bob.accountId }
    })
    assert.strictEqual(wrong.body.code, "BLOB_HASH_MISMATCH")
    const put = await call(url, "PUT", `/v1/blobs/${hash}`, {
      token: alice.token,
      raw: data,
      headers: { "x-sb-grant": bob.accountId }
    })
    assert.strictEqual(put.status, 201)
    const res = await fetch(`${url}/v1/blobs/${hash}`, { headers: { authorization: `Bearer ${bob.token}` } })
    assert.strictEqual(res.status, 200)
    assert.deepStrictEqual(new Uint8Array(await res.arrayBuffer()), data)
    assert.strictEqual((await call(url, "GET", `/v1/blobs/${hash}`, { token: alice.token })).status, 404)
  })

  it("presence blobs reach contacts only", async () => {
    const blob = toBase64Url(new Uint8Array(100).fill(3))
    const put = await call(url, "PUT", "/v1/presence", {
      token: alice.token,
      body: { blobs: { [bob.accountId]: blob } }
    })
    assert.strictEqual(put.status, 200)
    const got = await call(url, "GET", "/v1/presence", { token: bob.token })
    assert.deepStrictEqual(
      got.body.presence.map((p: { from: string; blob: string }) => [p.from, p.blob]),
      [[alice.accountId, blob]]
    )
    const stranger = await register(url, "stranger")
    const denied = await call(url, "PUT", "/v1/presence", {
      token: alice.token,
      body: { blobs: { [stranger.accountId]: blob } }
    })
    assert.strictEqual(denied.body.code, "NOT_A_CONTACT")
  })

  it("registrations past 5 an hour from one address are 429 with Retry-After", async () => {
    const address = nextAddress()
    const statuses: Array<number> = []
    let last: Awaited<ReturnType<typeof call>> | undefined
    for (let i = 0; i < 6; i++) {
      const { body } = await registrationBody(url, `burst-${process.pid % 10000}-${i}`)
      last = await call(url, "POST", "/v1/accounts", { body, headers: { "x-forwarded-for": address } })
      statuses.push(last.status)
    }
    assert.deepStrictEqual(statuses, [201, 201, 201, 201, 201, 429])
    assert.strictEqual(last?.body.code, "RATE_LIMITED")
    assert.isAbove(Number(last?.headers.get("retry-after")), 0)
  })

  it("a bad registration proof is refused, and a taken handle is 409", async () => {
    const { body } = await registrationBody(url, "proof-check")
    const forged = await call(url, "POST", "/v1/accounts", {
      body: { ...body, handle: "someone-else" },
      headers: { "x-forwarded-for": nextAddress() }
    })
    assert.strictEqual(forged.status, 400)
    assert.strictEqual(forged.body.code, "REGISTRATION_PROOF_INVALID")
    const taken = await registrationBody(url, alice.handle)
    const res = await call(url, "POST", "/v1/accounts", {
      body: taken.body,
      headers: { "x-forwarded-for": nextAddress() }
    })
    assert.strictEqual(res.status, 409)
    assert.strictEqual(res.body.code, "HANDLE_TAKEN")
  })

  it("the log holds no token, ciphertext or body", async () => {
    const secretBody = await sealed(alice, bob, "a very private body")
    await call(url, "POST", "/v1/messages", { token: alice.token, body: secretBody })
    const log = relay.stderr()
    assert.include(log, '"event":"request"')
    for (const secret of [alice.token, bob.token, secretBody.ct.slice(0, 40), "a very private body"]) {
      assert.notInclude(log, secret)
    }
    for (const line of log.trim().split("\n")) assert.doesNotThrow(() => JSON.parse(line), line)
  })
})

describe("relay process lifecycle", () => {
  it("kill -9 right after a 201: the envelope is there after a restart on the same database", async () => {
    const home = tempDir("sb-relay-kill-")
    const first = await startRelay({ home })
    const a = await register(first.url, "ka")
    const b = await register(first.url, "kb")
    await connect(first.url, a, b)
    const envelope = await sealed(a, b, "survives")
    const sent = await call(first.url, "POST", "/v1/messages", { token: a.token, body: envelope })
    assert.strictEqual(sent.status, 201)
    first.child.kill("SIGKILL")
    await first.exited
    const second = await startRelay({ home })
    try {
      const inbox = await call(second.url, "GET", "/v1/inbox", { token: b.token })
      assert.deepStrictEqual(
        inbox.body.messages.map((m: { id: string; seq: number }) => [m.id, m.seq]),
        [[envelope.id, sent.body.seq]]
      )
    } finally {
      await stopRelay(second)
    }
  })

  it("SIGTERM with a parked long-poll: the poll answers and the relay exits 0 promptly", async () => {
    const relay = await startRelay({ home: tempDir("sb-relay-term-") })
    const a = await register(relay.url, "ta")
    const poll = call(relay.url, "GET", "/v1/inbox?wait=25", { token: a.token })
    await new Promise((r) => setTimeout(r, 300))
    const started = Date.now()
    relay.child.kill("SIGTERM")
    const code = await relay.exited
    assert.strictEqual(code, 0)
    assert.isBelow(Date.now() - started, 5_000)
    const answered = await poll.then(
      (r) => r.status,
      () => 0
    )
    assert.include([200, 0], answered)
  })

  it("a registration code given is enforced", async () => {
    const relay = await startRelay({ home: tempDir("sb-relay-code-"), args: ["--registration-code", "letmein-42"] })
    try {
      const info = await call(relay.url, "GET", "/v1/info")
      assert.strictEqual(info.body.registration, "code")
      const none = await registrationBody(relay.url, "nocode")
      const refused = await call(relay.url, "POST", "/v1/accounts", { body: none.body })
      assert.strictEqual(refused.status, 403)
      assert.strictEqual(refused.body.code, "REGISTRATION_CODE_INVALID")
      const wrong = await registrationBody(relay.url, "wrongcode", "letmein-43")
      assert.strictEqual((await call(relay.url, "POST", "/v1/accounts", { body: wrong.body })).status, 403)
      await register(relay.url, "withcode", "letmein-42")
    } finally {
      await stopRelay(relay)
    }
  })

  it("bound beyond loopback without a code: one is generated, kept 0600 next to the database, printed once", async () => {
    const home = tempDir("sb-relay-gen-")
    const db = path.join(home, "data", "relay.db")
    const first = await startRelay({ home, args: ["--host", "0.0.0.0", "--db", db] })
    const notice = await logLine(first, "registration_code_generated")
    assert.isDefined(notice)
    const code = JSON.parse(notice!).code as string
    const file = path.join(home, "data", "registration-code")
    assert.strictEqual(fs.readFileSync(file, "utf8").trim(), code)
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    const refused = await registrationBody(first.url, "gen-none")
    assert.strictEqual((await call(first.url, "POST", "/v1/accounts", { body: refused.body })).status, 403)
    await register(first.url, "gen-ok", code)
    await stopRelay(first)
    const second = await startRelay({ home, args: ["--host", "0.0.0.0", "--db", db] })
    try {
      assert.notInclude(second.stderr(), "registration_code_generated")
      await register(second.url, "gen-again", code)
    } finally {
      await stopRelay(second)
    }
  })
})
