import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { describeWithoutPg, pgQuery, pgUrl } from "./pgAdmin.js"
import {
  call,
  connect,
  type Member,
  register,
  type Relay,
  sealed,
  startRelay,
  stopRelay,
  tempDir
} from "./relayProcess.js"

// In CI (.ci/run) the URL is always set and the server must be reachable: this suite fails there, never skips.
const url = pgUrl
const admin = pgQuery

if (url === undefined) {
  describeWithoutPg("relay HTTP (PostgreSQL)")
} else {
  /** The send → long-poll → revoke flow through a real relay process on a scratch PostgreSQL schema. */
  describe("relay HTTP (PostgreSQL)", () => {
    const schema = `relay_http_${process.pid}_${Date.now().toString(36)}`
    let relay: Relay
    let alice: Member
    let bob: Member

    beforeAll(async () => {
      await admin(url, `CREATE SCHEMA ${schema}`)
      const scoped = new URL(url)
      scoped.searchParams.set("options", `-c search_path=${schema}`)
      relay = await startRelay({ home: tempDir("sb-relay-pg-"), args: ["--database-url", scoped.toString()] })
      assert.include(relay.stderr(), '"database":"postgres"')
      alice = await register(relay.url, "pga")
      bob = await register(relay.url, "pgb")
      await connect(relay.url, alice, bob)
    })
    afterAll(async () => {
      if (relay) await stopRelay(relay)
      await admin(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    })

    it("a parked long-poll wakes on a send; a retry is a duplicate; revoke drops the unfetched row", async () => {
      const poll = call(relay.url, "GET", "/v1/inbox?wait=20", { token: bob.token })
      await new Promise((r) => setTimeout(r, 300))
      const envelope = await sealed(alice, bob, "over postgres")
      const sentAt = Date.now()
      const sent = await call(relay.url, "POST", "/v1/messages", { token: alice.token, body: envelope })
      assert.strictEqual(sent.status, 201)
      const got = await poll
      assert.isBelow(Date.now() - sentAt, 1_000)
      assert.deepStrictEqual(
        got.body.messages.map((m: { id: string; from: string }) => [m.id, m.from]),
        [[envelope.id, alice.accountId]]
      )
      const again = await call(relay.url, "POST", "/v1/messages", { token: alice.token, body: envelope })
      assert.deepStrictEqual(again.body, { seq: sent.body.seq, duplicate: true })

      const pending = await sealed(alice, bob, "unfetched")
      assert.strictEqual(
        (await call(relay.url, "POST", "/v1/messages", { token: alice.token, body: pending })).status,
        201
      )
      const revoked = await call(relay.url, "POST", `/v1/contacts/${alice.handle}/revoke`, { token: bob.token })
      assert.strictEqual(revoked.body.deletedMessages, 2)
      const inbox = await call(relay.url, "GET", "/v1/inbox", { token: bob.token })
      assert.deepStrictEqual(inbox.body.messages, [])
      const after = await call(relay.url, "POST", "/v1/messages", {
        token: alice.token,
        body: await sealed(alice, bob)
      })
      assert.strictEqual(after.body.code, "CONTACT_REVOKED")
    })
  })
}
