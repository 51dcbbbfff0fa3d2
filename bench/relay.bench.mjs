// The relay over HTTP, one real `node dist/relay/bin.js` process on loopback (rate limits off, SQLite FULL):
//   1. send → parked long-poll returns (p50/p99), one pair, paced
//   2. stored messages/s with 8 concurrent senders (pre-sealed envelopes, real keys), after a warm-up flood of as many
//      (its own rate reported)
//   3. RSS per idle parked long-poll (500 parked, RSS delta of the relay process)
//   4. the throughput row again on PostgreSQL when SESSION_BRIDGE_TEST_PG_URL is set (a scratch schema)
// Accounts, contacts and envelopes go through the real flows (register, invite, seal) of test/relay/relayProcess.ts,
// bundled into .cache/ with esbuild (packages external).
import * as fs from "node:fs"
import { httpJson, importTs, log, ms, percentile, row } from "./lib.mjs"

// BENCH_RELAY_BIN: another build's dist/relay/bin.js to measure instead of this checkout's (before/after).
const command = process.env.BENCH_RELAY_BIN ? [process.env.BENCH_RELAY_BIN, "--port", "0"] : undefined
const LATENCY_ROUNDS = Number(process.env.BENCH_RELAY_ROUNDS ?? 200)
const MESSAGES = Number(process.env.BENCH_RELAY_MESSAGES ?? 1_600)
/** Sent through the same 8 senders before the timed flood, untimed (BENCH_RELAY_WARMUP). */
const WARMUP_MESSAGES = Number(process.env.BENCH_RELAY_WARMUP ?? 1_600)
const SENDERS = 8
const PARKED = 500

const { dir: outDir, modules } = await importTs("relay-http-bench-", { support: "test/relay/relayProcess.ts" })
const relayLib = modules.support
const { connect, register, sealed, startRelay, stopRelay, tempDir } = relayLib
// The load generator's requests: node:http with keep-alive (bench/lib.mjs), not the tests' fetch, whose CPU per
// request is more than the relay's own on these same 2 cores.
const call = httpJson

const rssKb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return m ? Number(m[1]) : NaN
}

const pairs = async (url, n) => {
  const out = []
  for (let i = 0; i < n; i++) {
    const a = await register(url, "bs")
    const b = await register(url, "br")
    await connect(url, a, b)
    out.push([a, b])
  }
  return out
}

/** The process's user + system CPU so far, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const throughput = async (url, label, target, pid) => {
  const senders = await pairs(url, SENDERS)
  const seal = async (count, prefix) => {
    const envelopes = []
    for (const [a, b] of senders) {
      const list = []
      for (let i = 0; i < Math.ceil(count / SENDERS); i++) list.push(await sealed(a, b, `${prefix}${i}`))
      envelopes.push(list)
    }
    return envelopes
  }
  /** The 8 senders, closed loop, each through its list: messages stored, seconds, the relay's CPU ms. */
  const flood = async (envelopes) => {
    const started = performance.now()
    const cpuStart = cpuMs(pid)
    let stored = 0
    await Promise.all(
      senders.map(async ([a], i) => {
        for (const envelope of envelopes[i]) {
          const res = await call(url, "POST", "/v1/messages", { token: a.token, body: envelope })
          if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`)
          stored++
        }
      })
    )
    return { stored, seconds: (performance.now() - started) / 1000, cpu: cpuMs(pid) - cpuStart }
  }
  // A relay runs for weeks: the row is its steady state, after a warm-up flood (V8 optimizes the hot path during
  // the first second or so of sends); the warm-up's own rate is reported beside it.
  const warm = await flood(await seal(WARMUP_MESSAGES, "w"))
  const timed = await flood(await seal(MESSAGES, "m"))
  const perSec = timed.stored / timed.seconds
  const cpuPerMessage = timed.cpu / timed.stored
  row(
    `relay: stored messages/s, 8 senders, first ${warm.stored} after the relay started (${label})`,
    `${(warm.stored / warm.seconds).toFixed(0)}/s`
  )
  row(`relay: stored messages/s, 8 senders (${label})`, `${perSec.toFixed(0)}/s`, `≥ ${target}/s`, perSec >= target)
  // The relay process's own CPU per stored message: steadier than the rate on a shared machine (report).
  row(`relay: relay CPU per stored message, 8 senders (${label})`, ms(cpuPerMessage))
}

const home = tempDir("sb-relay-bench-")
const relay = await startRelay({ home, command, args: ["--rate-limits", "off"] })
const url = relay.url
try {
  // 1. wake latency
  const [[alice, bob]] = await pairs(url, 1)
  let cursor = 0
  const wake = []
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const envelope = await sealed(alice, bob, `r${i}`)
    let returned = 0
    const poll = call(url, "GET", `/v1/inbox?after=${cursor}&wait=20`, { token: bob.token }).then((r) => {
      returned = performance.now()
      return r
    })
    await new Promise((r) => setTimeout(r, 5))
    const t0 = performance.now()
    await call(url, "POST", "/v1/messages", { token: alice.token, body: envelope })
    const got = await poll
    if (got.body.messages.length !== 1) throw new Error(`round ${i}: ${JSON.stringify(got.body).slice(0, 200)}`)
    cursor = got.body.cursor
    wake.push(returned - t0)
  }
  const p99 = percentile(wake, 99)
  row("relay: send → parked long-poll returns p50", ms(percentile(wake, 50)))
  row("relay: send → parked long-poll returns p99", ms(p99), "≤ 20 ms", p99 <= 20)

  // 2. throughput
  await throughput(url, "SQLite, synchronous=FULL", 1_000, relay.child.pid)

  // 3. idle parked polls
  const idle = await register(url, "idle")
  await new Promise((r) => setTimeout(r, 500))
  const before = rssKb(relay.child.pid)
  const parked = []
  for (let i = 0; i < PARKED; i++) parked.push(call(url, "GET", "/v1/inbox?wait=25", { token: idle.token }))
  await new Promise((r) => setTimeout(r, 4_000))
  const after = rssKb(relay.child.pid)
  const perPollKb = (after - before) / PARKED
  row(
    `relay: RSS per idle parked long-poll (${PARKED} parked)`,
    `${perPollKb.toFixed(1)} KB`,
    "≤ 64 KB",
    perPollKb <= 64
  )
  await stopRelay(relay)
  await Promise.allSettled(parked)
} finally {
  await stopRelay(relay)
}

// 4. PostgreSQL
const pgUrl = process.env.SESSION_BRIDGE_TEST_PG_URL
if (pgUrl) {
  const { PgClient } = await import("@effect/sql-pg")
  const { Effect, Redacted } = await import("effect")
  const admin = (statement) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(pgUrl), maxConnections: 1 }))
        )
      )
    )
  const schema = `relay_http_bench_${process.pid}`
  await admin(`CREATE SCHEMA ${schema}`)
  const scoped = new URL(pgUrl)
  scoped.searchParams.set("options", `-c search_path=${schema}`)
  const pg = await startRelay({
    command,
    home: tempDir("sb-relay-bench-pg-"),
    args: ["--rate-limits", "off", "--database-url", scoped.toString()]
  })
  try {
    await throughput(pg.url, "PostgreSQL", 500, pg.child.pid)
  } finally {
    await stopRelay(pg)
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  }
} else {
  log("relay bench: SESSION_BRIDGE_TEST_PG_URL not set, no PostgreSQL row")
}
fs.rmSync(outDir, { recursive: true, force: true })
