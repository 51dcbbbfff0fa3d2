// Delivery latency (send in one process → wait_for_message returns in another) and throughput (four processes
// sending concurrently into one inbox, every message delivered exactly once), over real `session-bridge mcp`s.
import { log, ms, percentile, removeHome, requireBuild, row, spawnMcp, tempHome } from "./lib.mjs"

requireBuild()
const ROUNDS = Number(process.env.BENCH_DELIVERY_ROUNDS ?? 100)
const WARMUP = 5
const SENDERS = 4
const PER_SENDER = Number(process.env.BENCH_THROUGHPUT_PER_SENDER ?? 100)
const sleep = (n) => new Promise((r) => setTimeout(r, n))

const latency = async () => {
  const home = tempHome()
  const alice = await spawnMcp({ home, label: "alice" })
  const bob = await spawnMcp({ home, label: "bob" })
  try {
    await alice.call("bridge_whoami")
    await bob.call("bridge_whoami")
    // The server's own cost per call: a round trip that does no store work (identity is cached after the first call).
    const roundTrips = []
    for (let i = 0; i < 50; i++) {
      const t = performance.now()
      await alice.call("bridge_whoami")
      roundTrips.push(performance.now() - t)
    }
    row("tool call round trip, bridge_whoami (p50 of 50)", ms(percentile(roundTrips, 50)), "report")
    const fromSendStart = []
    const fromSendReturn = []
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const woke = bob.call("bridge_wait_for_message", { timeoutSec: 10 }).then((r) => ({ r, at: performance.now() }))
      await sleep(25) // let the wait arm its watch
      const t0 = performance.now()
      const sent = await alice.call("bridge_send_message", { to: { label: "bob" }, subject: `ping ${i}` })
      const t1 = performance.now()
      const { r, at } = await woke
      if (r.timedOut) throw new Error(`round ${i}: wait timed out`)
      const gotId = r.id ?? r.message?.id ?? r.entry?.id
      if (gotId !== sent.messageId)
        throw new Error(`round ${i}: woke with ${JSON.stringify(r)} instead of ${sent.messageId}`)
      await bob.call("bridge_mark_read", { ids: [sent.messageId] })
      if (i >= WARMUP) {
        fromSendStart.push(at - t0)
        fromSendReturn.push(Math.max(0, at - t1))
      }
    }
    const p50 = percentile(fromSendStart, 50)
    const p99 = percentile(fromSendStart, 99)
    log(
      `delivery over ${ROUNDS} rounds: p50 ${ms(p50)} p99 ${ms(p99)}; after send returned p50 ${ms(percentile(fromSendReturn, 50))}`
    )
    row(`delivery send → wait returns, p50 (${ROUNDS} msgs)`, ms(p50), "≤ 5 ms", p50 <= 5)
    row(`delivery send → wait returns, p99 (${ROUNDS} msgs)`, ms(p99), "≤ 20 ms", p99 <= 20)
    row("delivery send acknowledged → wait returns, p50", ms(percentile(fromSendReturn, 50)), "report")
  } finally {
    await Promise.allSettled([alice.close(), bob.close()])
    removeHome(home)
  }
}

const throughput = async () => {
  const home = tempHome()
  const inbox = await spawnMcp({ home, label: "sink" })
  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, k) => spawnMcp({ home, label: `sender-${k}` })))
  try {
    await inbox.call("bridge_whoami")
    await Promise.all(senders.map((s) => s.call("bridge_whoami")))
    const start = performance.now()
    await Promise.all(
      senders.map(async (s, k) => {
        for (let i = 0; i < PER_SENDER; i++)
          await s.call("bridge_send_message", { to: { label: "sink" }, subject: `m ${k}-${i}` })
      })
    )
    const seconds = (performance.now() - start) / 1000
    const total = SENDERS * PER_SENDER
    const listed = await inbox.call("bridge_list_inbox", { all: true, limit: 1000 })
    const entries = listed.entries ?? listed.messages ?? []
    const subjects = entries.map((e) => e.subject)
    const unique = new Set(subjects)
    const ids = new Set(entries.map((e) => e.id))
    let missing = 0
    for (let k = 0; k < SENDERS; k++) for (let i = 0; i < PER_SENDER; i++) if (!unique.has(`m ${k}-${i}`)) missing++
    const exactlyOnce = missing === 0 && subjects.length === total && ids.size === total
    log(
      `throughput: ${total} msgs in ${seconds.toFixed(2)} s; listed ${subjects.length}, unique ${unique.size}, missing ${missing}`
    )
    row(
      `throughput ${SENDERS} senders → 1 inbox`,
      `${Math.round(total / seconds)} msgs/s (${total} in ${seconds.toFixed(2)} s)`,
      "report"
    )
    row(
      "throughput: every message delivered exactly once",
      `${subjects.length}/${total} listed, ${missing} missing, ${subjects.length - unique.size} duplicated`,
      "all, once",
      exactlyOnce
    )
  } finally {
    await Promise.allSettled([inbox.close(), ...senders.map((s) => s.close())])
    removeHome(home)
  }
}

await latency()
await throughput()
