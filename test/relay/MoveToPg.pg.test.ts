import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { describeWithoutPg, pgQuery, pgUrl } from "./pgAdmin.js"
import { REPO } from "../support/build.js"
import {
  call,
  connect,
  register,
  registrationBody,
  RELAY_BIN,
  type Relay,
  sealed,
  startRelay,
  stopRelay,
  tempDir
} from "./relayProcess.js"

// In CI (.ci/run) the URL is always set and the server must be reachable: this suite fails there, never skips.
const url = pgUrl
const admin = (statement: string) => pgQuery(url!, statement)

/** `relay migrate-to-pg` as a process, with only this test's settings. */
const migrate = (home: string, db: string, target: string) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SESSION_BRIDGE_") && v !== undefined) env[k] = v
  return spawnSync(process.execPath, [RELAY_BIN, "migrate-to-pg", "--db", db, "--database-url", target, "--json"], {
    cwd: REPO,
    env: { ...env, SESSION_BRIDGE_HOME: home },
    encoding: "utf8",
    timeout: 60_000
  })
}

if (url === undefined) {
  describeWithoutPg("relay migrate-to-pg")
} else {
  describe("relay migrate-to-pg", () => {
    const name = `sb_move_${process.pid}_${Date.now().toString(36)}`
    const relays: Array<Relay> = []
    afterAll(async () => {
      await Promise.all(relays.map((r) => stopRelay(r)))
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    })

    it("a stopped SQLite relay moves to PostgreSQL: same relay id, tokens, pending mail, seqs and code", async () => {
      const home = tempDir("sb-move-")
      const db = path.join(home, "data", "relay.db")
      const sqlite = await startRelay({ home, args: ["--db", db] })
      relays.push(sqlite)
      const relayId = (await call(sqlite.url, "GET", "/v1/info")).body.relayId
      const alice = await register(sqlite.url, "mva")
      const bob = await register(sqlite.url, "mvb")
      await connect(sqlite.url, alice, bob)
      const sent = []
      for (const text of ["one", "two", "three"]) {
        const envelope = await sealed(alice, bob, text)
        const res = await call(sqlite.url, "POST", "/v1/messages", { token: alice.token, body: envelope })
        assert.strictEqual(res.status, 201)
        sent.push({ id: envelope.id, seq: res.body.seq as number })
      }
      // Bob acks the first; the other two are still waiting when the relay stops.
      await call(sqlite.url, "POST", "/v1/inbox/ack", { token: bob.token, body: { upTo: sent[0]!.seq } })
      await stopRelay(sqlite)
      fs.writeFileSync(path.join(home, "data", "registration-code"), "moved-code-42\n", { mode: 0o600 })

      await admin(`CREATE DATABASE ${name}`)
      const target = new URL(url)
      target.pathname = `/${name}`
      const moved = migrate(home, db, target.toString())
      assert.strictEqual(moved.status, 0, moved.stderr)
      const report = JSON.parse(moved.stdout)
      assert.strictEqual(report.copied.accounts, 2)
      assert.strictEqual(report.copied.spool, 2)
      assert.strictEqual(report.copied.contacts, 1)

      // Bound beyond loopback without a code: the one moved from the file applies, and nothing is generated.
      const pg = await startRelay({
        home: tempDir("sb-move-pg-"),
        args: ["--database-url", target.toString(), "--host", "0.0.0.0"]
      })
      relays.push(pg)
      assert.strictEqual((await call(pg.url, "GET", "/v1/info")).body.relayId, relayId)
      assert.notInclude(pg.stderr(), "registration_code_generated")
      const inbox = await call(pg.url, "GET", `/v1/inbox?after=${sent[0]!.seq}`, { token: bob.token })
      assert.deepStrictEqual(
        inbox.body.messages.map((m: { id: string; seq: number }) => [m.id, m.seq]),
        sent.slice(1).map((s) => [s.id, s.seq])
      )
      const next = await call(pg.url, "POST", "/v1/messages", { token: alice.token, body: await sealed(alice, bob) })
      assert.deepStrictEqual([next.status, next.body.seq], [201, sent[2]!.seq + 1])
      // New accounts get ids past the moved ones (the identity sequence was moved).
      const none = await registrationBody(pg.url, "mv-none")
      assert.strictEqual((await call(pg.url, "POST", "/v1/accounts", { body: none.body })).status, 403)
      const carol = await register(pg.url, "mvc", "moved-code-42")
      assert.notInclude([alice.accountId, bob.accountId], carol.accountId)

      // A database that already has accounts is refused, and left as it was.
      const again = migrate(home, db, target.toString())
      assert.notStrictEqual(again.status, 0)
      assert.include(again.stderr, "INVALID_ARGUMENT")
      assert.strictEqual((await call(pg.url, "GET", "/v1/info")).body.relayId, relayId)
    })
  })
}
