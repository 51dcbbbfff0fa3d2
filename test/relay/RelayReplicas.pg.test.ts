import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { describeWithoutPg, pgQuery, pgUrl, scratchDatabase, until } from "./pgAdmin.js"
import { LISTEN_APPLICATION_NAME } from "../../src/relay/PgWaiters.js"
import {
  call,
  connect,
  type Member,
  register,
  registrationBody,
  type Relay,
  sealed,
  startRelay,
  stopRelay,
  tempDir
} from "./relayProcess.js"

// In CI (.ci/run) the URL is always set and the server must be reachable: this suite fails there, never skips.
const url = pgUrl
const query = pgQuery

const listenerPids = async (base: string, database: string) =>
  (
    await query<{ pid: number }>(
      base,
      `SELECT pid FROM pg_stat_activity WHERE datname = '${database}' AND application_name = '${LISTEN_APPLICATION_NAME}'`
    )
  ).map((r) => Number(r.pid))

const parked = () => new Promise((r) => setTimeout(r, 300))

if (url === undefined) {
  describeWithoutPg("relay replicas (PostgreSQL)")
} else {
  /** Two relay processes on one database: sends on A, long-polls on B. */
  describe("relay replicas (PostgreSQL)", () => {
    let db: Awaited<ReturnType<typeof scratchDatabase>>
    let a: Relay
    let b: Relay
    let bListener: number
    let alice: Member
    let bob: Member

    beforeAll(async () => {
      db = await scratchDatabase(url, "replicas")
      // B first, alone, so the one LISTEN connection in the database is B's.
      b = await startRelay({ home: tempDir("sb-replica-b-"), args: ["--database-url", db.url] })
      await until("B's LISTEN connection", async () => (await listenerPids(url, db.name)).length === 1)
      bListener = (await listenerPids(url, db.name))[0]!
      a = await startRelay({ home: tempDir("sb-replica-a-"), args: ["--database-url", db.url] })
      await until("A's LISTEN connection", async () => (await listenerPids(url, db.name)).length === 2)
      alice = await register(a.url, "rpa")
      bob = await register(b.url, "rpb")
      await connect(a.url, alice, bob)
    }, 60_000)
    afterAll(async () => {
      await Promise.all([a, b].filter((r) => r !== undefined).map((r) => stopRelay(r)))
      await db?.drop()
    })

    it("a long-poll parked on B returns within milliseconds of a send committed on A", async () => {
      const spans: Array<number> = []
      for (let i = 0; i < 5; i++) {
        const poll = call(b.url, "GET", `/v1/inbox?wait=20&after=${i}`, { token: bob.token })
        await parked()
        const envelope = await sealed(alice, bob, `cross-replica ${i}`)
        const sentAt = performance.now()
        const sent = await call(a.url, "POST", "/v1/messages", { token: alice.token, body: envelope })
        assert.strictEqual(sent.status, 201)
        const got = await poll
        spans.push(performance.now() - sentAt)
        assert.deepStrictEqual(
          got.body.messages.map((m: { id: string }) => m.id),
          [envelope.id]
        )
      }
      // Typically a few ms; the bound leaves room for a loaded machine and is still far below the 20 s poll.
      assert.isBelow(Math.max(...spans), 1_000, `send → poll answer: ${spans.map((s) => s.toFixed(1)).join(", ")} ms`)
    })

    it("B's LISTEN connection killed while a poll is parked: B re-listens and the poll still returns the message", async () => {
      const before = (await call(b.url, "GET", "/v1/inbox", { token: bob.token })).body.cursor as number
      const poll = call(b.url, "GET", `/v1/inbox?wait=20&after=${before}`, { token: bob.token })
      await parked()
      const killed = await query<{ ok: boolean }>(url, `SELECT pg_terminate_backend(${bListener}) AS ok`)
      assert.isTrue(killed[0]?.ok)
      // Sent at once, while B has no LISTEN connection: B never receives this notification.
      const envelope = await sealed(alice, bob, "sent while B was not listening")
      const sentAt = performance.now()
      assert.strictEqual(
        (await call(a.url, "POST", "/v1/messages", { token: alice.token, body: envelope })).status,
        201
      )
      const got = await poll
      const tookMs = performance.now() - sentAt
      assert.deepStrictEqual(
        got.body.messages.map((m: { id: string }) => m.id),
        [envelope.id]
      )
      assert.isBelow(tookMs, 5_000)
      assert.include(b.stderr(), '"event":"listen_lost"')
      await until("B's new LISTEN connection", async () => {
        const pids = await listenerPids(url, db.name)
        return pids.length === 2 && !pids.includes(bListener)
      })
      // Listening again: the next cross-replica send wakes B's poll promptly.
      const next = call(b.url, "GET", `/v1/inbox?wait=20&after=${got.body.cursor}`, { token: bob.token })
      await parked()
      const again = await sealed(alice, bob, "after the re-listen")
      const againAt = performance.now()
      await call(a.url, "POST", "/v1/messages", { token: alice.token, body: again })
      assert.deepStrictEqual(
        (await next).body.messages.map((m: { id: string }) => m.id),
        [again.id]
      )
      assert.isBelow(performance.now() - againAt, 1_000)
    })
  })

  describe("relay replicas booting together (PostgreSQL)", () => {
    let db: Awaited<ReturnType<typeof scratchDatabase>>
    const relays: Array<Relay> = []

    beforeAll(async () => {
      db = await scratchDatabase(url, "boot")
    })
    afterAll(async () => {
      await Promise.all(relays.map((r) => stopRelay(r)))
      await db?.drop()
    })

    it("four relays start at once on a fresh database: all serve, one applies the schema, one code for all", async () => {
      // Bound beyond loopback without a code: a generated one, which every replica must accept alike.
      const started = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          startRelay({ home: tempDir(`sb-boot-${i}-`), args: ["--database-url", db.url, "--host", "0.0.0.0"] })
        )
      )
      relays.push(...started)
      // Every migration is applied exactly once, whichever replica took the lock.
      const migrations = await query<{ migration_id: number }>(
        db.url,
        "SELECT migration_id FROM relay_migrations ORDER BY migration_id"
      )
      assert.deepStrictEqual(
        migrations.map((m) => Number(m.migration_id)),
        [1, 2, 3]
      )
      assert.strictEqual(started.filter((r) => r.stderr().includes('"event":"migrated"')).length, 1)
      const ids = await Promise.all(started.map(async (r) => (await call(r.url, "GET", "/v1/info")).body.relayId))
      assert.strictEqual(new Set(ids).size, 1)
      // The code is generated once and printed once; any replica accepts it.
      await until("the generated code's notice", () =>
        started.some((r) => r.stderr().includes('"event":"registration_code_generated"'))
      )
      const notices = started.flatMap((r) =>
        r
          .stderr()
          .split("\n")
          .filter((l) => l.includes('"event":"registration_code_generated"'))
      )
      assert.strictEqual(notices.length, 1)
      const code = JSON.parse(notices[0]!).code as string
      for (const r of started) {
        const refused = await registrationBody(r.url, `boot-none-${r.child.pid}`)
        assert.strictEqual((await call(r.url, "POST", "/v1/accounts", { body: refused.body })).status, 403)
        await register(r.url, "boot", code)
      }
    })
  })
}
