import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { freePort } from "../support/cloudProcesses.js"
import { describeWithoutPg, pgUrl, scratchDatabase, until } from "./pgAdmin.js"
import {
  call,
  connect,
  type Member,
  RELAY_BIN,
  register,
  type Relay,
  sealed,
  startRelay,
  stopRelay,
  tempDir
} from "./relayProcess.js"

/*
 * Two relay replicas on one PostgreSQL database, each killed with SIGKILL once while a stream of sends and a
 * long-polling recipient spread over both (failing over to the other replica on a network error). Every send
 * that was answered is delivered, each id under exactly one seq. The full-size version (20 kills during a flood
 * of thousands) is row #5 of bench/relay-load.bench.mjs.
 */

const MESSAGES = 300
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const networkError = (error: unknown) => /fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(String(error))

if (pgUrl === undefined) {
  describeWithoutPg("relay replicas killed during a stream (PostgreSQL)")
} else {
  const base = pgUrl
  describe("relay replicas killed during a stream (PostgreSQL)", () => {
    let db: Awaited<ReturnType<typeof scratchDatabase>>
    const ports: Array<number> = []
    const homes: Array<string> = []
    const replicas: Array<Relay> = []
    let alice: Member
    let bob: Member

    const start = (i: number) =>
      startRelay({
        home: homes[i]!,
        command: [RELAY_BIN],
        args: ["--port", String(ports[i]), "--database-url", db.url, "--rate-limits", "off"]
      })
    const urlOf = (i: number) => `http://127.0.0.1:${ports[i % 2]}`

    beforeAll(async () => {
      db = await scratchDatabase(base, "replkill")
      for (let i = 0; i < 2; i++) {
        ports.push(await freePort())
        homes.push(tempDir(`sb-replkill-${i}-`))
      }
      for (let i = 0; i < 2; i++) replicas[i] = await start(i)
      alice = await register(urlOf(0), "rka")
      bob = await register(urlOf(1), "rkb")
      await connect(urlOf(0), alice, bob)
    }, 60_000)
    afterAll(async () => {
      await Promise.all(replicas.map((r) => stopRelay(r)))
      await db?.drop()
    })

    it("each replica killed once mid-stream: every answered send delivered, each id under one seq", async () => {
      const seqsOf = new Map<string, Set<number>>()
      let polling = true
      const poller = (async () => {
        let cursor = 0
        for (let turn = 0; polling; turn++) {
          try {
            const got = await call(urlOf(turn), "GET", `/v1/inbox?after=${cursor}&wait=2`, { token: bob.token })
            if (got.status !== 200) throw new Error(`poll answered ${got.status}`)
            for (const m of got.body.messages as Array<{ id: string; seq: number }>) {
              seqsOf.set(m.id, (seqsOf.get(m.id) ?? new Set()).add(m.seq))
            }
            cursor = got.body.cursor
          } catch (error) {
            if (!networkError(error)) throw error
            await sleep(20)
          }
        }
      })()

      const answered = new Set<string>()
      let retried = 0
      const kills: Array<number> = []
      const restarts: Array<Promise<Relay>> = []
      for (let k = 0; k < MESSAGES; k++) {
        // Kill replica 0 a third of the way in and replica 1 at two thirds; restart each on its port.
        if (k === 100 || k === 200) {
          const victim = k === 100 ? 0 : 1
          replicas[victim]!.child.kill("SIGKILL")
          await replicas[victim]!.exited
          kills.push(victim)
          restarts.push(start(victim).then((r) => (replicas[victim] = r)))
        }
        const envelope = await sealed(alice, bob, `stream ${k}`)
        for (let attempt = 0; ; attempt++) {
          try {
            const sent = await call(urlOf(k + attempt), "POST", "/v1/messages", { token: alice.token, body: envelope })
            assert.oneOf(sent.status, [200, 201], JSON.stringify(sent.body))
            answered.add(envelope.id)
            break
          } catch (error) {
            if (!networkError(error)) throw error
            retried++
            await sleep(20)
          }
        }
      }
      await Promise.all(restarts)
      await until("every answered send delivered", () => [...answered].every((id) => seqsOf.has(id)), 30_000)
      polling = false
      await poller

      assert.deepStrictEqual(kills, [0, 1])
      assert.strictEqual(answered.size, MESSAGES)
      const twice = [...seqsOf.entries()].filter(([, seqs]) => seqs.size > 1)
      assert.deepStrictEqual(twice, [], "an id stored under two seqs")
      assert.isAtLeast(retried, 1, "a send met a dead replica and failed over")
    }, 120_000)
  })
}
