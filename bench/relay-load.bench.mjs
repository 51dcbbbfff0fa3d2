// The relay under load (CLOUD.md 3.5): real `node dist/relay/bin.js` processes on loopback, real accounts, keys,
// invites and sealing (test/relay/relayProcess.ts and bench/relayLoadSupport.ts, bundled with esbuild), every
// scenario bounded in count and time. Clients (senders, long-polling recipients) run in this process, on node:http
// with keep-alive sockets (`httpJson` in bench/lib.mjs): undici's fetch costs more CPU per request than the relay
// does, on the same 2 cores, and a real relay's clients are daemons on other machines.
//   1. latency: 20 pairs paced at 50 msg/s in all; POST start → the recipient's long-poll returned the envelope and
//      it was opened (decrypted, signature checked); SQLite and, with a database, PostgreSQL
//   2. throughput: 8 senders, BENCH_LOAD_MESSAGES (10,000) messages to 50 recipients draining meanwhile; stored/s,
//      0 lost, 0 duplicated; SQLite and PostgreSQL
//   3. idle: 1,000 daemons long-polling (25 s polls, re-issued) for 120 s: RSS per parked poll, the relay's CPU
//   4. two replicas on PostgreSQL: senders on A, recipients polling B, B's LISTEN connection terminated mid-run
//   5. crash: kill -9 a relay replica 20 times during #2's flood (two replicas on PostgreSQL; the SQLite relay
//      without a database); every answered id stored exactly once
//   6. abuse, rate limits on: one account floods (429s while other pairs keep their latency), a stranger guesses
//      invite ids (rate-limited, none found), a revoked contact keeps sending (refused, none of its envelopes fetched)
// Env: BENCH_LOAD_SECONDS (per timed scenario, default 10), BENCH_LOAD_RATE (#1 and #4, default 50 msg/s),
// BENCH_LOAD_MESSAGES (scenario 2, default 10000), BENCH_LOAD_IDLE_SECONDS (scenario 3, default 120),
// BENCH_LOAD_SCENARIOS (e.g. "1,2"; default all), BENCH_LOAD_RELAY_BIN (another build's dist/relay/bin.js), SESSION_BRIDGE_TEST_PG_URL (PostgreSQL rows; scratch databases).
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { httpJson, importTs, log, ms, percentile, row } from "./lib.mjs"

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10)
/** Scenario 1 and 4's total send rate (messages/s over all pairs). */
const RATE = Number(process.env.BENCH_LOAD_RATE ?? 50)
const MESSAGES = Number(process.env.BENCH_LOAD_MESSAGES ?? 10_000)
/** Scenario 3's length: how long the idle daemons keep long-polling. */
const IDLE_SECONDS = Number(process.env.BENCH_LOAD_IDLE_SECONDS ?? 120)
const SCENARIOS = new Set((process.env.BENCH_LOAD_SCENARIOS ?? "1,2,3,4,5,6").split(",").map((s) => s.trim()))
const PG_URL = process.env.SESSION_BRIDGE_TEST_PG_URL

const { dir: outDir, modules } = await importTs("relay-load-bench-", { support: "bench/relayLoadSupport.ts" })
const lib = modules.support
const { RELAY_BIN, connect, openDelivered, register, sealed, startRelay, stopRelay, tempDir } = lib

/** The relay executable: this checkout's build, or another one to compare with (BENCH_LOAD_RELAY_BIN). */
const RELAY_BIN_USED = process.env.BENCH_LOAD_RELAY_BIN ?? RELAY_BIN
const startAt = (options) => startRelay({ command: [RELAY_BIN_USED, "--port", "0"], ...options })

const sleep = (n) => new Promise((r) => setTimeout(r, n))

/**
 * One request of the load generator (bench/lib.mjs `httpJson`: node:http, keep-alive); a network error (a killed
 * relay) rejects, and so does an abort through `signal`.
 */
const http = (url, method, route, token, body, signal) => httpJson(url, method, route, { token, body, signal })

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const relayArgs = (db, extra = []) => [
  "--rate-limits",
  "off",
  ...(db.kind === "pg" ? ["--database-url", db.url] : ["--db", db.file]),
  ...extra
]

// ---- databases -------------------------------------------------------------------------------------------------
const pgAdmin = async (statement, url = PG_URL) => {
  const { PgClient } = await import("@effect/sql-pg")
  const { Effect, Redacted } = await import("effect")
  return Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 }))
      )
    )
  )
}
const scratch = []
let scratchCounter = 0
/** A fresh database: a SQLite file, or a scratch PostgreSQL database (dropped at the end). */
const freshDb = async (kind) => {
  if (kind === "sqlite") return { kind, file: path.join(tempDir("sb-load-db-"), "relay.db") }
  const name = `sb_load_${process.pid}_${scratchCounter++}`
  await pgAdmin(`CREATE DATABASE ${name}`)
  scratch.push(name)
  const url = new URL(PG_URL)
  url.pathname = `/${name}`
  return { kind, name, url: url.toString() }
}

// ---- clients ---------------------------------------------------------------------------------------------------
/** `n` pairs (sender, recipient) with an active contact, registered through `url`, four at a time. */
const makePairs = async (url, n, prefix) => {
  const out = []
  for (let i = 0; i < n; i += 4) {
    const batch = Array.from({ length: Math.min(4, n - i) }, async () => {
      const a = await register(url, `${prefix}s`)
      const b = await register(url, `${prefix}r`)
      await connect(url, a, b)
      return [a, b]
    })
    out.push(...(await Promise.all(batch)))
  }
  return out
}

/**
 * A recipient's daemon loop: long-polls `wait=25` with its cursor until stopped, retrying through a dead relay.
 * `onMessage(message, at)` for each envelope; `urlOf(turn)` lets a scenario move it (a restarted relay, or the
 * other replica: `turn` starts at `first` and counts up on each network error, a load balancer's failover).
 */
const poller = (urlOf, member, onMessage, first = 0) => {
  let stopped = false
  let cursor = 0
  let turn = first
  // Stopping aborts the poll in flight instead of waiting up to 25 s for it to come back empty.
  const aborting = new AbortController()
  const done = (async () => {
    while (!stopped) {
      try {
        const res = await http(
          urlOf(turn),
          "GET",
          `/v1/inbox?after=${cursor}&wait=25`,
          member.token,
          undefined,
          aborting.signal
        )
        const at = performance.now()
        if (res.status !== 200) throw new Error(`poll ${res.status}`)
        for (const m of res.body.messages) await onMessage(m, at)
        cursor = res.body.cursor
      } catch {
        turn++
        if (!stopped) await sleep(50)
      }
    }
  })()
  return {
    stop: () => {
      stopped = true
      aborting.abort()
      return done
    }
  }
}

const waitFor = async (check, limitMs) => {
  const deadline = Date.now() + limitMs
  while (!check() && Date.now() < deadline) await sleep(20)
  return check()
}

/** The relay's own request durations by route (its JSON request log), for reading a slow figure. */
const serverTimes = (relay) => {
  const by = new Map()
  for (const line of relay.stderr().split("\n")) {
    if (!line.includes('"event":"request"')) continue
    const r = JSON.parse(line)
    const key = `${r.method} ${r.path.replace(/\/v1\/sent\/.*/, "/v1/sent/:id")}`
    by.set(key, [...(by.get(key) ?? []), r.ms])
  }
  for (const [key, values] of by) {
    log(`  ${key}: ${values.length} requests, p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`)
  }
}

// ---- scenario 1 and 4: paced latency ---------------------------------------------------------------------------
/**
 * 20 pairs; every 1/RATE s (20 ms at 50 msg/s) the next pair sends one sealed envelope to `sendUrl`; recipients
 * poll `pollUrl`. Latency is POST start → the poll returned it and it was opened. `midway` runs once, halfway.
 */
const pacedLatency = async ({ sendUrl, pollUrl, pairs, seconds, midway }) => {
  const total = Math.floor(seconds * RATE)
  const everyMs = 1000 / RATE
  const envelopes = []
  for (let k = 0; k < total; k++) {
    const [a, b] = pairs[k % pairs.length]
    envelopes.push(await sealed(a, b, `paced ${k}`))
  }
  const startedAt = new Map()
  const latency = new Map()
  const senderOf = new Map(pairs.map(([a, b]) => [b.accountId, a]))
  const pollers = pairs.map(([, b]) =>
    poller(
      () => pollUrl,
      b,
      async (m) => {
        await openDelivered(m, senderOf.get(b.accountId), b)
        const t0 = startedAt.get(m.id)
        if (t0 !== undefined && !latency.has(m.id)) latency.set(m.id, performance.now() - t0)
      }
    )
  )
  await sleep(500)
  const begin = performance.now()
  const sends = []
  const postMs = []
  let failed = 0
  let midwayDone = midway === undefined
  for (let k = 0; k < total; k++) {
    const due = begin + k * everyMs
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    if (!midwayDone && k >= total / 2) {
      midwayDone = true
      sends.push(midway())
    }
    const [a] = pairs[k % pairs.length]
    const envelope = envelopes[k]
    const t0 = performance.now()
    startedAt.set(envelope.id, t0)
    sends.push(
      http(sendUrl, "POST", "/v1/messages", a.token, envelope).then(
        (r) => {
          postMs.push(performance.now() - t0)
          if (r.status !== 201) failed++
        },
        () => failed++
      )
    )
  }
  await Promise.all(sends)
  await waitFor(() => latency.size >= total - failed, 30_000)
  await Promise.all(pollers.map((p) => p.stop()))
  const values = [...latency.values()]
  log(`POST answered p50 ${ms(percentile(postMs, 50))}, p99 ${ms(percentile(postMs, 99))}`)
  return { values, sent: total, failed, lost: total - failed - latency.size }
}

const latencyRows = (scenario, label, result) => {
  const p50 = percentile(result.values, 50)
  const p99 = percentile(result.values, 99)
  row(
    `relay-load #${scenario} ${label}: send → poll returned, opened p50 (${result.values.length})`,
    ms(p50),
    "≤ 10 ms",
    p50 <= 10
  )
  row(`relay-load #${scenario} ${label}: p99`, ms(p99), "≤ 50 ms", p99 <= 50)
  row(
    `relay-load #${scenario} ${label}: lost / failed sends`,
    `${result.lost} / ${result.failed}`,
    "0 / 0",
    result.lost === 0 && result.failed === 0
  )
}

const scenario1 = async (kind) => {
  const db = await freshDb(kind)
  const relay = await startAt({ home: tempDir("sb-load-1-"), args: relayArgs(db) })
  try {
    const pairs = await makePairs(relay.url, 20, "l")
    const result = await pacedLatency({ sendUrl: relay.url, pollUrl: relay.url, pairs, seconds: SECONDS })
    latencyRows(1, `${kind}, 20 pairs, ${RATE} msg/s, ${SECONDS} s`, result)
    if (process.env.BENCH_LOAD_DEBUG) serverTimes(relay)
  } finally {
    await stopRelay(relay)
  }
}

// ---- scenario 2 and 5: throughput, exactly once ----------------------------------------------------------------
/**
 * 8 senders, each to its own share of 50 recipients (contact i ↔ sender i mod 8), closed loop, pre-sealed
 * envelopes; recipients drain meanwhile. A network error (a killed relay) is retried with the same envelope
 * (same id) until the relay answers. Checks: every answered id (201 or duplicate) was delivered, and each id
 * was stored under exactly one seq.
 */
const flood = async ({ urlOf, messages, whileRunning, pid }) => {
  const senders = []
  for (let i = 0; i < 8; i++) senders.push(await register(urlOf(), "ts"))
  const recipients = []
  for (let r = 0; r < 50; r++) {
    const b = await register(urlOf(), "tr")
    await connect(urlOf(), senders[r % 8], b)
    recipients.push(b)
  }
  const plan = senders.map(() => [])
  for (let k = 0; k < messages; k++) {
    const b = recipients[k % 50]
    const s = (k % 50) % 8
    plan[s].push(await sealed(senders[s], b, `flood ${k}`))
  }
  const seqsOf = new Map()
  let deliveries = 0
  let lastDelivery = 0
  const pollers = recipients.map((b, r) =>
    poller(
      urlOf,
      b,
      (m) => {
        deliveries++
        lastDelivery = performance.now()
        const seqs = seqsOf.get(m.id) ?? new Set()
        seqs.add(`${b.accountId}:${m.seq}`)
        seqsOf.set(m.id, seqs)
      },
      r
    )
  )
  await sleep(500)
  const answered = new Set()
  let created = 0
  let retries = 0
  let lastStored = 0
  const begin = performance.now()
  const cpuBegin = pid === undefined ? 0 : procStat(pid).cpuTicks
  const ownCpuBegin = process.cpuUsage()
  let sending = true
  const background = whileRunning ? whileRunning(() => sending) : Promise.resolve()
  await Promise.all(
    plan.map(async (list, s) => {
      for (const envelope of list) {
        for (let attempt = 0; ; attempt++) {
          try {
            const res = await http(urlOf(s + attempt), "POST", "/v1/messages", senders[s].token, envelope)
            if (res.status === 201 || (res.status === 200 && res.body.duplicate)) {
              if (res.status === 201) created++
              answered.add(envelope.id)
              lastStored = performance.now()
              break
            }
            throw new Error(`send ${res.status} ${JSON.stringify(res.body)}`)
          } catch (error) {
            if (!/fetch failed|ECONN|EPIPE/.test(String(error))) throw error
            retries++
            await sleep(50)
          }
        }
      }
    })
  )
  sending = false
  const cpuTicks = pid === undefined ? NaN : procStat(pid).cpuTicks - cpuBegin
  const ownCpu = process.cpuUsage(ownCpuBegin)
  await background
  await waitFor(() => [...answered].every((id) => seqsOf.has(id)), 60_000)
  await Promise.all(pollers.map((p) => p.stop()))
  const lost = [...answered].filter((id) => !seqsOf.has(id)).length
  const storedTwice = [...seqsOf.values()].filter((s) => s.size > 1).length
  return {
    perSec: answered.size / ((lastStored - begin) / 1000),
    drainSec: (Math.max(lastDelivery, lastStored) - begin) / 1000,
    answered: answered.size,
    created,
    retries,
    lost,
    storedTwice,
    redelivered: deliveries - seqsOf.size,
    cpuMsPerMessage: (cpuTicks * 10) / answered.size,
    generatorCpuMsPerMessage: (ownCpu.user + ownCpu.system) / 1000 / answered.size
  }
}

const scenario2 = async (kind) => {
  const db = await freshDb(kind)
  const relay = await startAt({ home: tempDir("sb-load-2-"), args: relayArgs(db) })
  try {
    const r = await flood({ urlOf: () => relay.url, messages: MESSAGES, pid: relay.child.pid })
    const target = kind === "sqlite" ? 1_000 : 500
    row(
      `relay-load #2 ${kind}: stored/s, 8 senders → 50 recipients (${r.answered})`,
      `${r.perSec.toFixed(0)}/s`,
      `≥ ${target}/s`,
      r.perSec >= target
    )
    row(
      `relay-load #2 ${kind}: relay CPU per stored message (its sends and the drain meanwhile)`,
      ms(r.cpuMsPerMessage)
    )
    // The senders and the 50 recipients run in this process, on the relay's machine: what they spend per message
    // is CPU the relay does not get.
    row(
      `relay-load #2 ${kind}: this load generator's CPU per stored message (same machine)`,
      ms(r.generatorCpuMsPerMessage)
    )
    row(`relay-load #2 ${kind}: drain complete after`, `${r.drainSec.toFixed(1)} s`)
    row(
      `relay-load #2 ${kind}: lost / stored twice / delivered twice`,
      `${r.lost} / ${r.storedTwice} / ${r.redelivered}`,
      "0 / 0 / 0",
      r.lost === 0 && r.storedTwice === 0 && r.redelivered === 0
    )
  } finally {
    await stopRelay(relay)
  }
}

/**
 * kill -9 during a flood (#2's 8 senders → 50 recipients), relaunched on the same port each time. With a database:
 * two replicas on one PostgreSQL, senders and pollers spread over both and failing over on a network error, a
 * random replica killed KILLS times; without one, the SQLite relay alone. Every answered id stored exactly once.
 */
const KILLS = 20
const scenario5 = async () => {
  const kind = PG_URL ? "pg" : "sqlite"
  const db = await freshDb(kind)
  const count = kind === "pg" ? 2 : 1
  const ports = []
  const homes = []
  for (let i = 0; i < count; i++) {
    ports.push(await freePort())
    homes.push(tempDir(`sb-load-5-${i}-`))
  }
  const start = (i) =>
    startRelay({ home: homes[i], command: [RELAY_BIN_USED], args: relayArgs(db, ["--port", String(ports[i])]) })
  const relays = []
  for (let i = 0; i < count; i++) relays.push(await start(i))
  const urls = ports.map((p) => `http://127.0.0.1:${p}`)
  let kills = 0
  try {
    const r = await flood({
      urlOf: (turn = 0) => urls[turn % count],
      messages: MESSAGES,
      whileRunning: async (running) => {
        await sleep(1_000)
        while (running() && kills < KILLS) {
          const victim = Math.floor(Math.random() * count)
          relays[victim].child.kill("SIGKILL")
          await relays[victim].exited
          kills++
          relays[victim] = await start(victim)
          await sleep(100 + Math.random() * 300)
        }
      }
    })
    const where = kind === "pg" ? "one of two PostgreSQL replicas" : "the SQLite relay"
    row(
      `relay-load #5: kill -9 of ${where} ×${kills} during a flood of ${r.answered}: lost / stored twice`,
      `${r.lost} / ${r.storedTwice} (${r.retries} sends retried, ${r.answered - r.created} answered as duplicates)`,
      `${KILLS} kills, 0 / 0`,
      kills === KILLS && r.lost === 0 && r.storedTwice === 0
    )
    row(
      `relay-load #5: envelopes delivered again after a crash (the daemon's ledger dedupes them)`,
      String(r.redelivered)
    )
    row(
      "relay-load #5: kill -9 of a receiving daemon ×20 during a 500-message stream",
      "test/e2e/cloudExactlyOnce.test.ts (every accepted message in exactly one inbox file)"
    )
  } finally {
    await Promise.all(relays.map((relay) => stopRelay(relay)))
  }
}

// ---- scenario 3: idle polls ------------------------------------------------------------------------------------
function procStat(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return { cpuTicks: Number(fields[11]) + Number(fields[12]) }
}
const rssKb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1])

const scenario3 = async () => {
  const POLLS = 1_000
  const db = await freshDb("sqlite")
  const relay = await startAt({ home: tempDir("sb-load-3-"), args: relayArgs(db) })
  try {
    const accounts = []
    for (let i = 0; i < 50; i++) accounts.push(await register(relay.url, "idle"))
    // Warm the server's code paths and connections first.
    await Promise.all(accounts.map((a) => http(relay.url, "GET", "/v1/inbox?wait=0", a.token)))
    await sleep(1_000)
    const before = rssKb(relay.child.pid)
    // Each of the POLLS clients is a daemon's inbox loop: a 25 s long-poll, re-issued as soon as it returns, for
    // IDLE_SECONDS (120 s by default, as CLOUD.md 3.5 states the scenario). Nobody sends, so every poll times out.
    const until = performance.now() + IDLE_SECONDS * 1000
    const loop = async (token) => {
      while (performance.now() < until) {
        const left = Math.ceil((until - performance.now()) / 1000)
        if (left <= 0) break
        await http(relay.url, "GET", `/v1/inbox?wait=${Math.min(25, left)}`, token).catch(() => sleep(1_000))
      }
    }
    const polls = []
    for (let i = 0; i < POLLS; i++) polls.push(loop(accounts[i % 50].token))
    // Until every poll is parked: the relay's CPU over one second falls below 10 % (or 12 s have passed), so the
    // RSS reading is taken with every poll parked and the CPU window measures waiting (re-polls included), not the
    // first burst of arrivals.
    for (let i = 0; i < 12; i++) {
      const c0 = procStat(relay.child.pid).cpuTicks
      await sleep(1_000)
      if (procStat(relay.child.pid).cpuTicks - c0 < 10) break
    }
    const after = rssKb(relay.child.pid)
    const cpu0 = procStat(relay.child.pid).cpuTicks
    const t0 = performance.now()
    await Promise.all(polls)
    const windowS = (performance.now() - t0) / 1000
    const cpuPct = ((procStat(relay.child.pid).cpuTicks - cpu0) / 100 / windowS) * 100
    const perPoll = (after - before) / POLLS
    row(`relay-load #3: RSS per idle long-poll (${POLLS} parked)`, `${perPoll.toFixed(1)} KB`, "≤ 64 KB", perPoll <= 64)
    row(
      `relay-load #3: relay CPU, ${POLLS} daemons long-polling (25 s polls, re-issued) for ${windowS.toFixed(0)} s`,
      `${cpuPct.toFixed(1)} %`,
      "≤ 5 %",
      cpuPct <= 5
    )
    await stopRelay(relay)
    await Promise.all(polls)
  } finally {
    await stopRelay(relay)
  }
}

// ---- scenario 4: two replicas ----------------------------------------------------------------------------------
const listenerPids = async (name) =>
  (
    await pgAdmin(
      `SELECT pid FROM pg_stat_activity WHERE datname = '${name}' AND application_name = 'session-bridge-relay-listen'`
    )
  ).map((r) => Number(r.pid))

const scenario4 = async () => {
  const db = await freshDb("pg")
  const b = await startAt({ home: tempDir("sb-load-4b-"), args: relayArgs(db) })
  let a
  try {
    // B alone first, so the one LISTEN connection in the database is B's.
    let bListener
    for (let i = 0; i < 100 && bListener === undefined; i++) {
      bListener = (await listenerPids(db.name))[0]
      if (bListener === undefined) await sleep(50)
    }
    a = await startAt({ home: tempDir("sb-load-4a-"), args: relayArgs(db) })
    const pairs = await makePairs(a.url, 20, "x")
    let killedAt = 0
    const result = await pacedLatency({
      sendUrl: a.url,
      pollUrl: b.url,
      pairs,
      seconds: SECONDS,
      midway: async () => {
        killedAt = performance.now()
        await pgAdmin(`SELECT pg_terminate_backend(${bListener})`)
      }
    })
    latencyRows(4, `two replicas (send A, poll B), B's LISTEN killed mid-run`, result)
    const stuck = result.values.filter((v) => v > 25_000).length
    row("relay-load #4: polls stuck > 25 s after the LISTEN connection was killed", String(stuck), "0", stuck === 0)
    row("relay-load #4: max send → opened", ms(Math.max(...result.values)))
    log(`scenario 4: killed B's listener ${bListener} at ${(killedAt / 1000).toFixed(1)} s`)
  } finally {
    await Promise.all([a, b].filter(Boolean).map((r) => stopRelay(r)))
  }
}

// ---- scenario 6: abuse -----------------------------------------------------------------------------------------
const scenario6 = async () => {
  const db = await freshDb("sqlite")
  const relay = await startAt({ home: tempDir("sb-load-6-"), args: ["--db", db.file] })
  try {
    const [[flooder, victim]] = await makePairs(relay.url, 1, "f")
    const pairs = await makePairs(relay.url, 10, "n")
    const guesser = await register(relay.url, "g")
    // A contact revoked by its peer, with two envelopes it sent before the revoke still unfetched.
    const [[revoked, peer]] = await makePairs(relay.url, 1, "v")
    for (let i = 0; i < 2; i++)
      await http(relay.url, "POST", "/v1/messages", revoked.token, await sealed(revoked, peer, `before ${i}`))
    const revoke = await http(relay.url, "POST", `/v1/contacts/${revoked.handle}/revoke`, peer.token)
    if (revoke.status !== 200) throw new Error(`revoke: ${revoke.status} ${JSON.stringify(revoke.body)}`)
    const fromRevoked = []
    const peerPoller = poller(
      () => relay.url,
      peer,
      (m) => void (m.from === revoked.accountId && fromRevoked.push(m.id))
    )
    const floodEnvelopes = []
    for (let i = 0; i < 400; i++) floodEnvelopes.push(await sealed(flooder, victim, `flood ${i}`))
    let flooding = true
    const answers = { 201: 0, 429: 0, 200: 0, other: 0 }
    const floodStart = performance.now()
    // Cycles through its envelopes: a stored one comes back as a free duplicate, a refused one is refused again.
    const floodLoop = (async () => {
      for (let i = 0; flooding; i++) {
        const res = await http(
          relay.url,
          "POST",
          "/v1/messages",
          flooder.token,
          floodEnvelopes[i % floodEnvelopes.length]
        )
        answers[res.status in answers ? res.status : "other"]++
      }
    })()
    // A stranger guesses invite ids (random 128-bit ids, as real ones are).
    const guesses = { 404: 0, 429: 0, other: 0 }
    const guessLoop = (async () => {
      while (flooding) {
        const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")
        const res = await http(relay.url, "GET", `/v1/invites/${id}`, guesser.token)
        guesses[res.status === 404 && res.body?.code === "INVITE_INVALID" ? 404 : res.status === 429 ? 429 : "other"]++
        await sleep(20)
      }
    })()
    // The revoked contact keeps sending.
    const revokedAnswers = { refused: 0, limited: 0, other: 0 }
    const revokedLoop = (async () => {
      while (flooding) {
        const res = await http(relay.url, "POST", "/v1/messages", revoked.token, await sealed(revoked, peer, "after"))
        const code = res.body?.code
        revokedAnswers[
          res.status === 403 && code === "CONTACT_REVOKED" ? "refused" : res.status === 429 ? "limited" : "other"
        ]++
        await sleep(20)
      }
    })()
    // Others stay within their limits: each pair sends one message every 2.5 s (CLOUD.md 2.12: 30/min per pair).
    const result = await pacedLatencyAt({ url: relay.url, pairs, seconds: SECONDS, everyMs: 250 })
    flooding = false
    await Promise.all([floodLoop, guessLoop, revokedLoop])
    await sleep(500)
    await peerPoller.stop()
    const floodS = (performance.now() - floodStart) / 1000
    // Sends to one recipient: the pair's bucket (burst 30, 30/min) is the tighter of the two that apply.
    const allowed = 30 + Math.ceil(floodS / 2) + 1
    row(
      `relay-load #6: flooder's answers over ${floodS.toFixed(0)} s (201 / 429 / duplicate / other)`,
      `${answers[201]} / ${answers[429]} / ${answers[200]} / ${answers.other}`,
      `≤ ${allowed} stored, the rest 429`,
      answers[429] > 0 && answers[201] <= allowed && answers.other === 0
    )
    const p99 = percentile(result.values, 99)
    row(`relay-load #6: other pairs' p99 while it floods (${result.values.length})`, ms(p99), "≤ 50 ms", p99 <= 50)
    // Invite lookups: burst 30, then 30 a minute per account (CLOUD.md 2.12).
    const lookups = 30 + Math.ceil(floodS / 2) + 1
    row(
      `relay-load #6: a stranger's invite guesses over ${floodS.toFixed(0)} s (INVITE_INVALID / 429 / other)`,
      `${guesses[404]} / ${guesses[429]} / ${guesses.other}`,
      `≤ ${lookups} answered, the rest 429, none found`,
      guesses[429] > 0 && guesses[404] <= lookups && guesses.other === 0
    )
    row(
      "relay-load #6: a revoked contact keeps sending (CONTACT_REVOKED / 429 / other; its envelopes fetched)",
      `${revokedAnswers.refused} / ${revokedAnswers.limited} / ${revokedAnswers.other}; ${fromRevoked.length}`,
      "none stored; 0",
      revokedAnswers.refused > 0 && revokedAnswers.other === 0 && fromRevoked.length === 0
    )
  } finally {
    await stopRelay(relay)
  }
}

/** Like pacedLatency, one message every `everyMs` across the pairs, on one relay (used by #6). */
const pacedLatencyAt = async ({ url, pairs, seconds, everyMs }) => {
  const total = Math.floor((seconds * 1000) / everyMs)
  const startedAt = new Map()
  const values = []
  const pollers = pairs.map(([, b]) =>
    poller(
      () => url,
      b,
      (m, at) => {
        const t0 = startedAt.get(m.id)
        if (t0 !== undefined) values.push(at - t0)
      }
    )
  )
  await sleep(500)
  const sends = []
  for (let k = 0; k < total; k++) {
    const [a, b] = pairs[k % pairs.length]
    const envelope = await sealed(a, b, `n ${k}`)
    startedAt.set(envelope.id, performance.now())
    sends.push(http(url, "POST", "/v1/messages", a.token, envelope))
    await sleep(everyMs)
  }
  await Promise.all(sends)
  await waitFor(() => values.length >= total, 10_000)
  await Promise.all(pollers.map((p) => p.stop()))
  return { values }
}

// ---- run -------------------------------------------------------------------------------------------------------
const step = async (id, label, fn) => {
  if (!SCENARIOS.has(id)) return
  const t = performance.now()
  log(`relay-load: scenario ${label}`)
  try {
    await fn()
  } catch (error) {
    row(`relay-load #${id} ${label}`, `FAILED: ${String(error).slice(0, 200)}`, undefined, false)
  }
  log(`relay-load: scenario ${label} took ${((performance.now() - t) / 1000).toFixed(1)} s`)
}

row("relay-load: load average (1 min) of this machine at start", os.loadavg()[0].toFixed(1))
try {
  await step("1", "latency (SQLite)", () => scenario1("sqlite"))
  if (PG_URL) await step("1", "latency (PostgreSQL)", () => scenario1("pg"))
  await step("2", "throughput (SQLite)", () => scenario2("sqlite"))
  if (PG_URL) await step("2", "throughput (PostgreSQL)", () => scenario2("pg"))
  await step("3", "idle polls", scenario3)
  if (PG_URL) await step("4", "two replicas", scenario4)
  else log("relay-load: SESSION_BRIDGE_TEST_PG_URL not set, no PostgreSQL rows (#1 pg, #2 pg, #4)")
  await step("5", "kill -9 during a flood", scenario5)
  await step("6", "a flooder", scenario6)
} finally {
  for (const name of scratch) await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
  fs.rmSync(outDir, { recursive: true, force: true })
}
