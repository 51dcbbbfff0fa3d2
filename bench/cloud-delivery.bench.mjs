// Delivery across two homes through the cloud layer: `bridge_send_message` to a contact in home A → the
// `bridge_wait_for_message` of a session in home B returns, through A's daemon, a real relay (SQLite, loopback,
// rate limits off) and B's daemon. Remote-send guardrails off (SESSION_BRIDGE_REMOTE_RATE=off).
import { spawn, spawnSync } from "node:child_process"
import * as path from "node:path"
import { BIN, REPO, log, ms, percentile, removeHome, requireBuild, row, spawnMcp, tempHome } from "./lib.mjs"

requireBuild()
const ROUNDS = Number(process.env.BENCH_CLOUD_ROUNDS ?? 100)
// The daemons, the relay and the servers run for days: the rows are their steady state, after WARMUP rounds (whose
// own figures are a report row). Their first rounds also pay V8's first optimizing compiles.
const WARMUP = Number(process.env.BENCH_CLOUD_WARMUP ?? 30)
const sleep = (n) => new Promise((r) => setTimeout(r, n))
const env = (home) => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: path.join(home, "user-home"),
  SESSION_BRIDGE_HOME: home,
  SESSION_BRIDGE_REMOTE_RATE: "off"
})

/** A long-running process (relay or daemon) whose stderr is kept; `ready` resolves on the first line matching. */
const background = (args, home, ready) => {
  const child = spawn(process.execPath, args, { env: env(home), cwd: REPO, stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start:\n${stderr}`)), 20_000)
    let found = false
    child.stderr.on("data", (c) => {
      stderr += c
      // Matched only until found: a regular expression over the whole log flattens it on every chunk.
      if (found) return
      const m = ready.exec(stderr)
      if (m) {
        found = true
        clearTimeout(timer)
        resolve(m)
      }
    })
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}:\n${stderr}`)))
  })
  const exited = new Promise((r) => child.on("exit", r))
  return { child, started, stop: () => (child.exitCode === null && child.kill("SIGTERM"), exited) }
}

const cli = (home, args) => {
  const r = spawnSync(process.execPath, [BIN, ...args, "--json"], { env: env(home), cwd: home, encoding: "utf8" })
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

const relayHome = tempHome("sb-bench-relay-")
const homeA = tempHome("sb-bench-a-")
const homeB = tempHome("sb-bench-b-")
const processes = []
const sessions = []
try {
  const relay = background(
    [path.join(REPO, "dist", "relay", "bin.js"), "--port", "0", "--rate-limits", "off"],
    relayHome,
    /"event":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/
  )
  processes.push(relay)
  const url = (await relay.started)[1].replace("0.0.0.0", "127.0.0.1")
  cli(homeA, ["cloud", "register", "--relay", url, "--handle", "alice"])
  cli(homeB, ["cloud", "register", "--relay", url, "--handle", "bob"])
  cli(homeB, ["contact", "add", cli(homeA, ["contact", "invite"]).code])
  cli(homeA, ["contact", "accept", "bob"])
  const a = await spawnMcp({ home: homeA, label: "sender", env: { SESSION_BRIDGE_REMOTE_RATE: "off" } })
  const b = await spawnMcp({ home: homeB, label: "receiver", env: { SESSION_BRIDGE_REMOTE_RATE: "off" } })
  sessions.push(a, b)
  await a.call("bridge_whoami")
  await b.call("bridge_whoami")
  for (const home of [homeA, homeB]) {
    const d = background([BIN, "daemon"], home, /daemon_started/)
    processes.push(d)
    await d.started
  }
  const fromSendStart = []
  const warmup = []
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const woke = b.call("bridge_wait_for_message", { timeoutSec: 10 }).then((r) => ({ r, at: performance.now() }))
    await sleep(25) // let the wait arm its watch
    const t0 = performance.now()
    await a.call("bridge_send_message", { to: { contact: "bob", label: "receiver" }, subject: `ping ${i}` })
    const { r, at } = await woke
    if (r.timedOut) throw new Error(`round ${i}: the wait timed out`)
    if (r.message?.subject !== `ping ${i}`) throw new Error(`round ${i}: woke with ${JSON.stringify(r).slice(0, 300)}`)
    await b.call("bridge_mark_read", { ids: [r.message.id] })
    if (i >= WARMUP) fromSendStart.push(at - t0)
    else warmup.push(at - t0)
  }
  const p50 = percentile(fromSendStart, 50)
  const p99 = percentile(fromSendStart, 99)
  log(`cloud delivery over ${ROUNDS} rounds: p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(Math.max(...fromSendStart))}`)
  if (warmup.length > 0)
    row(
      `cloud delivery, the first ${warmup.length} rounds after the daemons started (untimed warm-up): p50, max`,
      `${ms(percentile(warmup, 50))}, ${ms(Math.max(...warmup))}`,
      "report"
    )
  row(`cloud delivery A send → B wait returns, p50 (${ROUNDS} msgs)`, ms(p50), "report")
  row(`cloud delivery A send → B wait returns, p99 (${ROUNDS} msgs)`, ms(p99), "≤ 50 ms", p99 <= 50)
} finally {
  await Promise.allSettled(sessions.map((s) => s.close()))
  for (const p of processes.reverse()) await p.stop()
  for (const home of [relayHome, homeA, homeB]) removeHome(home)
}
