// Context cost of tools/list (the part a model reads, and the whole result), spawn → tools/list answered as a ratio to
// `node -e 0` (with the environment given minus NODE_EXTRA_CA_CERTS, and with it when it is set), and the resident
// memory of one server after a few tool calls, beside a bare `node` process.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { LAUNCHER, log, ms, percentile, removeHome, requireBuild, row, tempHome, ulid } from "./lib.mjs"

requireBuild()
const home = tempHome()
// NODE_EXTRA_CA_CERTS makes every node process read and parse a certificate bundle at start (tens of ms), the
// baseline as much as the server: the headline ratio is taken without it, the other beside it when it is set.
const caCerts = process.env.NODE_EXTRA_CA_CERTS
const cleanEnv = { PATH: process.env.PATH }
const caEnv = caCerts === undefined ? undefined : { ...cleanEnv, NODE_EXTRA_CA_CERTS: caCerts }
// The server as hosts start it: `node <dist/session-bridge.cjs> mcp`, the command `init` writes for an installed package.
// BENCH_MCP_BIN: another build's entry (e.g. a copy of dist/ from before a change), for before/after figures.
const SERVER = process.env.BENCH_MCP_BIN ?? LAUNCHER

const handshake =
  [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } }
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" }
  ]
    .map((m) => JSON.stringify(m))
    .join("\n") + "\n"

const whoami = JSON.stringify({
  jsonrpc: "2.0",
  id: 3,
  method: "tools/call",
  params: { name: "bridge_whoami", arguments: {} }
})

/**
 * Spawns the server, sends initialize + tools/list at once (and a bridge_whoami call when `firstCall`), and resolves
 * with the time to the answer of the last request.
 */
const spawnToToolsList = (env = cleanEnv, firstCall = false) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [SERVER, "mcp"], {
      env: { ...env, HOME: home, SESSION_BRIDGE_HOME: home },
      stdio: ["pipe", "pipe", "ignore"]
    })
    let out = ""
    let answered
    child.stdout.on("data", (chunk) => {
      out += chunk
      for (const line of out.split("\n")) {
        if (answered !== undefined || !line.includes(firstCall ? '"id":3' : '"id":2')) continue
        const now = process.hrtime.bigint()
        answered = { ms: Number(now - start) / 1e6, result: JSON.parse(line).result, eofAt: now }
        child.stdin.end()
      }
    })
    child.on("error", reject)
    child.on("close", (code) =>
      answered && code === 0
        ? resolve({ ...answered, exitMs: Number(process.hrtime.bigint() - answered.eofAt) / 1e6 })
        : reject(new Error(`no tools/list answer or a non-zero exit (exit ${code})`))
    )
    child.stdin.write(firstCall ? handshake + whoami + "\n" : handshake)
  })

/** A plain Node script that answers one line and exits on stdin EOF: the floor for "EOF → exit". */
const plainEof = () =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["-e", "process.stdout.write('ready\\n');process.stdin.resume();process.stdin.on('end',()=>process.exit(0))"],
      { stdio: ["pipe", "pipe", "ignore"] }
    )
    let endedAt
    child.stdout.once("data", () => {
      endedAt = process.hrtime.bigint()
      child.stdin.end()
    })
    child.on("error", reject)
    child.on("close", () => resolve(Number(process.hrtime.bigint() - endedAt) / 1e6))
  })

const nodeBaseline = (env = cleanEnv) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, ["-e", "0"], { env, stdio: "ignore" })
    child.on("error", reject)
    child.on("close", () => resolve(Number(process.hrtime.bigint() - start) / 1e6))
  })

/** VmRSS and VmHWM of a live process, in MiB. */
const memoryOf = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN)
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 }
}

/** One server after initialize and whoami, list_sessions, send_message (to itself), list_inbox: its memory. */
const serverMemory = async () => {
  const sessionId = ulid()
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER, "mcp"],
    env: { ...cleanEnv, HOME: home, SESSION_BRIDGE_HOME: home, SESSION_BRIDGE_SESSION_ID: sessionId },
    cwd: home,
    stderr: "ignore"
  })
  const client = new Client({ name: "bench", version: "1" })
  await client.connect(transport)
  try {
    const call = async (name, args = {}) => {
      const r = await client.callTool({ name, arguments: args })
      if (r.isError) throw new Error(`${name}: ${r.content[0]?.text}`)
    }
    await call("bridge_whoami")
    await call("bridge_list_sessions")
    await call("bridge_send_message", { to: { sessionId }, subject: "memory", body: "x".repeat(2000) })
    await call("bridge_list_inbox")
    // Let the last reply's timers and writes settle, as a host leaves its server idle between calls.
    await new Promise((r) => setTimeout(r, 200))
    return memoryOf(transport.pid)
  } finally {
    await client.close()
  }
}

/** A bare node process waiting on stdin: the floor for resident memory. */
const bareMemory = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "process.stdout.write('ready\\n');process.stdin.resume()"], {
      env: cleanEnv,
      stdio: ["pipe", "pipe", "ignore"]
    })
    child.stdout.once("data", () =>
      setTimeout(() => {
        const m = memoryOf(child.pid)
        child.stdin.end()
        resolve(m)
      }, 200)
    )
    child.on("error", reject)
  })

try {
  const first = await spawnToToolsList()
  const tools = first.result.tools
  // What a model reads: names, descriptions, input schemas. Titles, hints and output schemas are for the client.
  const modelPart = JSON.stringify({
    tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }))
  }).length
  const whole = JSON.stringify(first.result).length
  row(
    "tools/list, the part a model reads (names, descriptions, input schemas)",
    `${modelPart} chars, ${tools.length} tools`,
    "≤ 6,000 chars",
    modelPart <= 6_000
  )
  row("tools/list, whole result (with titles, hints, output schemas)", `${whole} chars`, "report")
  row("tools/list tool count", String(tools.length), "17", tools.length === 17)

  // Interleave the two so load on a shared machine hits both alike.
  const base = []
  const mcp = []
  const exits = []
  const plainExits = []
  for (let i = 0; i < 2; i++) {
    await nodeBaseline()
    await spawnToToolsList()
  }
  for (let i = 0; i < 12; i++) {
    base.push(await nodeBaseline())
    const r = await spawnToToolsList()
    mcp.push(r.ms)
    exits.push(r.exitMs)
    plainExits.push(await plainEof())
  }
  const b = percentile(base, 50)
  const m = percentile(mcp, 50)
  log(`node -e 0 p50 ${ms(b)}; spawn → tools/list p50 ${ms(m)}`)
  row(
    "spawn → tools/list answered, without NODE_EXTRA_CA_CERTS (p50)",
    `${ms(m)} = ${(m / b).toFixed(2)}× node -e 0 (${ms(b)})`,
    "≤ 2.0×",
    m / b <= 2
  )
  row(
    "stdin EOF → process exited with 0 (p50)",
    `${ms(percentile(exits, 50))} (a bare node script: ${ms(percentile(plainExits, 50))})`,
    "a few ms over bare node"
  )

  // The tool calls' code loads at the first tools/call (docs/adr/0037-mcp-server-loads-per-request.md): what it costs.
  // The first server in this home finds no code cache and writes one as it exits (docs/adr/0062-tool-calls-through-a-code-cache.md);
  // the next ones compile through it.
  const uncached = (await spawnToToolsList(cleanEnv, true)).ms
  const firstCalls = []
  for (let i = 0; i < 6; i++) firstCalls.push((await spawnToToolsList(cleanEnv, true)).ms)
  row("spawn → first bridge_whoami answered (p50 of 6)", ms(percentile(firstCalls, 50)), "report")
  row("spawn → first bridge_whoami answered, first server after an install (no code cache yet)", ms(uncached), "report")

  if (caEnv !== undefined) {
    const caBase = []
    const caMcp = []
    for (let i = 0; i < 8; i++) {
      caBase.push(await nodeBaseline(caEnv))
      caMcp.push((await spawnToToolsList(caEnv)).ms)
    }
    const cb = percentile(caBase, 50)
    const cm = percentile(caMcp, 50)
    row(
      "spawn → tools/list answered, with NODE_EXTRA_CA_CERTS set (p50)",
      `${ms(cm)} = ${(cm / cb).toFixed(2)}× node -e 0 (${ms(cb)})`,
      "report"
    )
  }

  const memories = []
  const bares = []
  for (let i = 0; i < 5; i++) {
    memories.push(await serverMemory())
    bares.push(await bareMemory())
  }
  const rss = percentile(
    memories.map((m) => m.rss),
    50
  )
  const hwm = percentile(
    memories.map((m) => m.hwm),
    50
  )
  const bare = percentile(
    bares.map((m) => m.rss),
    50
  )
  row(
    "resident memory after initialize + whoami, list_sessions, send, list_inbox (VmRSS, p50 of 5)",
    `${rss.toFixed(1)} MiB, peak ${hwm.toFixed(1)} MiB (VmHWM); bare node ${bare.toFixed(1)} MiB`,
    "≤ 50 MiB",
    rss <= 50
  )
} finally {
  removeHome(home)
}
