// Context cost of tools/list (the part a model reads, and the whole result), and spawn → tools/list answered as a ratio to `node -e 0`.
import { spawn } from "node:child_process"
import { BIN, log, ms, percentile, removeHome, requireBuild, row, tempHome } from "./lib.mjs"

requireBuild()
const home = tempHome()

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

/** Spawns the server, sends initialize + tools/list at once, and resolves with the time to the tools/list answer. */
const spawnToToolsList = () =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [BIN, "mcp"], {
      env: { PATH: process.env.PATH, HOME: home, SESSION_BRIDGE_HOME: home },
      stdio: ["pipe", "pipe", "ignore"]
    })
    let out = ""
    let answered
    child.stdout.on("data", (chunk) => {
      out += chunk
      for (const line of out.split("\n")) {
        if (answered !== undefined || !line.includes('"id":2')) continue
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
    child.stdin.write(handshake)
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

const nodeBaseline = () =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" })
    child.on("error", reject)
    child.on("close", () => resolve(Number(process.hrtime.bigint() - start) / 1e6))
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
  row("spawn → tools/list answered (p50)", `${ms(m)} = ${(m / b).toFixed(2)}× node -e 0 (${ms(b)})`, "report")
  row(
    "stdin EOF → process exited with 0 (p50)",
    `${ms(percentile(exits, 50))} (a bare node script: ${ms(percentile(plainExits, 50))})`,
    "a few ms over bare node"
  )
} finally {
  removeHome(home)
}
