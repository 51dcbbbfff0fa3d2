// Runs every bench/*.bench.mjs (or those whose file name contains one of the arguments), each in its own
// process, and prints one table of what they measured. See bench/README.md for the row format.
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { settleDisk } from "./disk.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

const PER_FILE_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 150_000)
// Files that run several bounded scenarios, each with its own setup, get longer; the hook bench starts about 250
// processes in turn, which a shared machine can slow well past the default.
const LONGER_MS = { "relay-load.bench.mjs": 900_000, "hook.bench.mjs": 300_000 }

const parseRows = (stdout) =>
  stdout
    .split("\n")
    .map((line) => {
      try {
        const v = JSON.parse(line)
        return v && typeof v === "object" && typeof v.name === "string" ? v : undefined
      } catch {
        return undefined
      }
    })
    .filter((v) => v !== undefined)

const runFile = (file) =>
  new Promise((resolve) => {
    const started = Date.now()
    // Each file's scratch folders (homes, databases) go under one TMPDIR of its own, removed when it ends.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sb-bench-"))
    const child = spawn(process.execPath, [path.join(here, file)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TMPDIR: scratch, BENCH_SCRATCH: scratch }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => {
      stderr += c
      process.stderr.write(c)
    })
    const timer = setTimeout(() => child.kill("SIGTERM"), Math.max(PER_FILE_TIMEOUT_MS, LONGER_MS[file] ?? 0))
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
      const rows = parseRows(stdout)
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      if (code !== 0) {
        const why = signal ? `killed (${signal}) after ${seconds} s` : `exited ${code}`
        rows.push({ name: `${file}`, figure: `FAILED: ${why}`, ok: false, failed: true })
        if (!stderr.trim()) process.stderr.write(`${file}: ${why}\n`)
      }
      process.stderr.write(`-- ${file}: ${rows.length} row(s) in ${seconds} s\n`)
      resolve(rows)
    })
  })

/**
 * How fast this machine is right before a file runs: the median wall time of 7 `node -e 0` (without
 * NODE_EXTRA_CA_CERTS) and of a fixed loop of integer arithmetic in this process. Rows with a target in
 * milliseconds or messages per second (delivery, search, the relay's throughput) move with it; the ratios to
 * `node -e 0` move much less. One row at the end gives the range over the run.
 */
const cleanEnv = { ...process.env }
delete cleanEnv.NODE_EXTRA_CA_CERTS
const machineSpeed = () => {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const spawns = []
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    spawnSync(process.execPath, ["-e", "0"], { env: cleanEnv, stdio: "ignore" })
    spawns.push(performance.now() - t)
  }
  const loops = []
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    let x = 0
    for (let k = 0; k < 50_000_000; k++) x = (x + k * 7) % 1_000_003
    loops.push(performance.now() - t + (x < 0 ? 1 : 0))
  }
  return { spawn: median(spawns), loop: median(loops) }
}

const rows = []
const speeds = []
for (const file of files) {
  await settleDisk()
  const speed = machineSpeed()
  speeds.push(speed)
  process.stderr.write(
    `-- running ${file} (node -e 0 ${speed.spawn.toFixed(1)} ms, fixed loop ${speed.loop.toFixed(0)} ms)\n`
  )
  rows.push(...(await runFile(file)))
}
if (speeds.length > 0) {
  const range = (key, digits) => {
    const xs = speeds.map((s) => s[key])
    return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)} ms`
  }
  rows.push({
    name: "this machine before each file: node -e 0 (clean env) / a fixed arithmetic loop, min–max",
    figure: `${range("spawn", 1)} / ${range("loop", 0)}`,
    target: "report"
  })
}

const cell = (r) => [r.name, r.figure, r.target ?? "", r.ok === true ? "yes" : r.ok === false ? "NO" : "-"]
const header = ["name", "figure", "target", "ok"]
const table = [header, ...rows.map(cell)]
const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)))
const line = (r) => "| " + r.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |"
process.stdout.write(
  [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map((r) => line(cell(r)))].join(
    "\n"
  ) + "\n"
)
process.exitCode = rows.some((r) => r.failed) ? 1 : 0
