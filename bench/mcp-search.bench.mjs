// Search over 20,000 stored messages: p95 of a bridge_search call, through a real `session-bridge mcp`.
// Seeding: one message is sent through the server; every file the store keeps for it (found by its id) is then
// cloned under fresh ids with varied subjects and bodies, so the store holds what 20,000 sends would leave.
// The home is on the real disk (os.tmpdir()), where users keep theirs. The first search of the server that was
// running while the store was seeded builds the index; the figures are then taken from fresh servers, as a new
// session gets them, once the disk has written back what the seeding left: each one's first call, then 40 more (p50
// and p95 of the three servers' calls together). The client is warmed up first, on the server that ran while
// seeding, as a host's has been by the time it searches, with the calls timed later among others: their answers are
// recorded then, so the timed calls keep nothing (whatever this process kept while timing, its own collector would
// walk in the middle of the timed calls).
// After each fresh server, the same calls go to a server on the bare MCP SDK that replays the answers recorded
// (bench/replay-server.mjs): its p95 is what this machine, the client and the pipes cost at that moment, the floor
// under the row's figure.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import { settleDisk } from "./disk.mjs"
import { log, ms, percentile, removeHome, requireBuild, row, spawnMcp, tempHome, ulid } from "./lib.mjs"

requireBuild()
// This process plays a host's MCP client, whose code a long-lived host compiled with TurboFan long ago. Here it
// would be compiled in the middle of the timed calls: V8 picks the SDK's result validation (zod's `runChecks`,
// `_zod.parse`) at fixed call counts after the warm-up and compiles it on a helper thread, which on a two-core
// machine takes the CPU from the calls being timed (`--trace-opt`: a 2–5 ms call at the same place every run).
// So the client runs without TurboFan; its calls cost the same (p50 of the figure and of the floor unchanged).
v8.setFlagsFromString("--no-opt")
const COUNT = Number(process.env.BENCH_SEARCH_MESSAGES ?? 20_000)
const QUERIES = 40
const SERVERS = 3
const WARM_CALLS = 200
const WORDS = [
  "parser",
  "config",
  "deploy",
  "schema",
  "review",
  "lint",
  "bench",
  "cache",
  "retry",
  "socket",
  "render",
  "migrate"
]
const TEMPLATE_SUBJECT = "TEMPLATESUBJECTXX"
const TEMPLATE_BODY = "TEMPLATEBODYXXXXXXXXXXXX"

const filesNamedBy = (root, id) => {
  const out = []
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.name.includes(id)) out.push(p)
      else if (e.isDirectory()) walk(p)
    }
  }
  walk(root)
  return out
}

const cloneTree = (src, dst, replace) => {
  const st = fs.statSync(src)
  if (st.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true, mode: 0o700 })
    for (const name of fs.readdirSync(src)) cloneTree(path.join(src, name), path.join(dst, replace(name)), replace)
  } else {
    fs.writeFileSync(dst, replace(fs.readFileSync(src, "utf8")), { mode: 0o600 })
  }
}

const REPLAY_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "replay-server.mjs")

const home = tempHome("sb-bench-search-")
const answersDir = tempHome("sb-bench-search-answers-")
const answersFile = path.join(answersDir, "answers.json")
/** Every search's result as the server sent it, by the arguments asked: what the replay server answers with. */
const answers = {}
const alice = await spawnMcp({ home, label: "alice" })
let bob = await spawnMcp({ home, label: "bob" })
try {
  await alice.call("bridge_whoami")
  await bob.call("bridge_whoami")
  const template = await alice.call("bridge_send_message", {
    to: { label: "bob" },
    subject: TEMPLATE_SUBJECT,
    body: TEMPLATE_BODY
  })
  const templateId = template.messageId
  const files = filesNamedBy(home, templateId)
  if (files.length === 0) throw new Error(`no stored file is named by ${templateId}`)
  log(`seeding ${COUNT} messages by cloning ${files.map((f) => path.relative(home, f)).join(", ")}`)
  const seedStart = performance.now()
  for (let i = 0; i < COUNT; i++) {
    const id = ulid()
    const a = WORDS[i % WORDS.length]
    const b = WORDS[(i * 7 + 3) % WORDS.length]
    const subject = `${a} update ${i}`.padEnd(TEMPLATE_SUBJECT.length, " ")
    const body = `notes on ${b} and ${a}, item ${i}`
    const replace = (s) =>
      s.split(templateId).join(id).split(TEMPLATE_SUBJECT).join(subject.trim()).split(TEMPLATE_BODY).join(body)
    for (const f of files) cloneTree(f, path.join(path.dirname(f), replace(path.basename(f))), replace)
  }
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)

  /**
   * One search through `server` (the bridge's by default), timed as a host's client gets it: result parsed. The
   * answer is kept for the replay server when `record`.
   */
  const search = async (query, server = bob, record = false) => {
    const args = { query, limit: 20 }
    const t0 = performance.now()
    const result = await server.client.callTool({ name: "bridge_search", arguments: args })
    const r = JSON.parse(result.content[0]?.text ?? "null")
    const took = performance.now() - t0
    if (result.isError) throw new Error(`bridge_search: ${JSON.stringify(r)}\n${server.stderr()}`)
    if (record) answers[`bridge_search ${JSON.stringify(args)}`] = result
    return { ms: took, r }
  }
  const build = await search("parser", bob, true)
  log(`first search of the server running while seeding: ${ms(build.ms)}`)
  // The index is written in the background once built, and again once the inbox has been quiet long enough for the
  // file to claim the listing current: wait for that, then start a fresh server for the same session.
  const indexDir = path.join(home, "cache", "search")
  const settled = () => {
    const file = fs.existsSync(indexDir) && fs.readdirSync(indexDir).find((n) => n.endsWith(".idx"))
    if (!file) return false
    const header = fs.readFileSync(path.join(indexDir, file), "utf8").slice(0, 200).split("\n")[0].split("\t")
    return Number(header[4]) - Number(header[3]) > 1000
  }
  for (let i = 0; i < 300 && !settled(); i++) await new Promise((r) => setTimeout(r, 50))
  const queryAt = (i) => {
    const word = WORDS[i % WORDS.length]
    return i % 3 === 0 ? `${word} update ${(i * 331) % COUNT}` : word
  }
  // A host's MCP client has made many calls before it searches; this process's has made a handful, and its own
  // code would run cold in the first calls measured. It warms up on the server that ran while seeding, with the
  // calls timed later among others, and records their answers for the replay server.
  for (let i = 0; i < WARM_CALLS; i++) await search(queryAt(i), bob, i < QUERIES)
  fs.writeFileSync(answersFile, JSON.stringify(answers))
  await bob.close()
  // The seeding left tens of thousands of files for the kernel to write back: a user's home is not being written
  // while they search, so the figures are taken once that is done.
  await settleDisk()
  // Each fresh server's first call, then QUERIES more; SERVERS of them, the figures pooled.
  const firsts = []
  const times = []
  const floor = []
  for (let s = 0; s < SERVERS; s++) {
    bob = await spawnMcp({ home, label: "bob", sessionId: bob.sessionId })
    const cold = await search("parser")
    const hits = cold.r.results ?? cold.r.messages ?? cold.r.entries ?? []
    if (hits.length === 0) throw new Error(`search found nothing: ${JSON.stringify(cold.r).slice(0, 300)}`)
    firsts.push(cold.ms)
    for (let i = 0; i < QUERIES; i++) times.push((await search(queryAt(i))).ms)
    if (s < SERVERS - 1) await bob.close()
    const replay = await spawnMcp({ home, bin: REPLAY_SERVER, env: { BENCH_REPLAY_ANSWERS: answersFile } })
    try {
      await search("parser", replay)
      for (let i = 0; i < QUERIES; i++) floor.push((await search(queryAt(i), replay)).ms)
    } finally {
      await replay.close()
    }
  }
  // The same inbox listed: a fresh server's first bridge_list_inbox (it reads only the page it shows), then the next.
  await bob.close()
  const inboxFirsts = []
  const inboxNexts = []
  for (let s = 0; s < SERVERS; s++) {
    bob = await spawnMcp({ home, label: "bob", sessionId: bob.sessionId })
    for (const into of [inboxFirsts, inboxNexts]) {
      const t0 = performance.now()
      const listed = await bob.call("bridge_list_inbox")
      into.push(performance.now() - t0)
      if (listed.unread < COUNT || listed.entries.length === 0)
        throw new Error(`inbox: ${JSON.stringify(listed).slice(0, 300)}`)
    }
    if (s < SERVERS - 1) await bob.close()
  }
  const first = percentile(firsts, 50)
  const p50 = percentile(times, 50)
  const p95 = percentile(times, 95)
  log(`search over ${COUNT}: first calls ${firsts.map(ms).join(", ")}, then p50 ${ms(p50)} p95 ${ms(p95)}`)
  log(
    `the same calls replayed by a bare MCP SDK server: p50 ${ms(percentile(floor, 50))} p95 ${ms(percentile(floor, 95))}`
  )
  row(
    `search over ${COUNT} messages, p95 (${QUERIES} calls in each of ${SERVERS} fresh servers)`,
    ms(p95),
    "≤ 2 ms",
    p95 <= 2
  )
  row(
    `search over ${COUNT} messages, first call in a fresh server (median of ${SERVERS})`,
    ms(first),
    "≤ 150 ms",
    first <= 150
  )
  row(`search over ${COUNT} messages, p50`, ms(p50), "report")
  const over = (values) => values.filter((t) => t > 2).length
  row(
    `calls over 2 ms: of the ${times.length} searches / of the same calls replayed (the floor)`,
    `${over(times)} / ${over(floor)}`,
    "report"
  )
  row(
    `the same ${floor.length} calls answered by a bare MCP SDK server replaying the answers (the floor now), p95 / p50`,
    `${ms(percentile(floor, 95))} / ${ms(percentile(floor, 50))}`,
    "report"
  )
  row(`search over ${COUNT} messages, first search while no index exists`, ms(build.ms), "report")
  row(
    `bridge_list_inbox over ${COUNT} unread messages, first call in a fresh server / the next (median of ${SERVERS})`,
    `${ms(percentile(inboxFirsts, 50))} / ${ms(percentile(inboxNexts, 50))}`,
    "report"
  )
} finally {
  const t = performance.now()
  await Promise.allSettled([alice.close(), bob.close()])
  log(`closed in ${ms(performance.now() - t)}`)
  removeHome(home)
  removeHome(answersDir)
  log(`removed in ${ms(performance.now() - t)}`)
}
