// Helpers shared by bench/*.bench.mjs: rows in the format bench/run.mjs collects, percentiles, temp homes,
// and MCP clients connected to real `session-bridge mcp` processes.
import { spawnSync } from "node:child_process"
import { randomInt } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/*
 * A bench file run on its own (`node bench/relay-load.bench.mjs`) gets what run.mjs gives each file: TMPDIR set to a
 * scratch folder of its own under the system's temp folder, which the processes it starts inherit, removed when it
 * exits (Ctrl-C included). Under run.mjs, `BENCH_SCRATCH` names the folder run.mjs made and removes.
 */
if (process.env.BENCH_SCRATCH === undefined) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sb-bench-"))
  process.env.TMPDIR = scratch
  process.env.BENCH_SCRATCH = scratch
  process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }))
  process.once("SIGINT", () => process.exit(130))
}

/**
 * Bundles TypeScript entry points (name → path under the repo) into a fresh folder under .cache/ with esbuild,
 * packages left external, and imports each: `{ dir, modules: { name: module } }` (remove `dir` when done). For
 * benches that drive src/ or test/ modules.
 */
export const importTs = async (prefix, entries) => {
  const { build } = await import("esbuild")
  fs.mkdirSync(path.join(REPO, ".cache"), { recursive: true })
  const outDir = fs.mkdtempSync(path.join(REPO, ".cache", prefix))
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(REPO, file)])),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: Object.keys(entries).length > 1,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error"
  })
  const modules = {}
  for (const name of Object.keys(entries)) modules[name] = await import(path.join(outDir, `${name}.mjs`))
  return { dir: outDir, modules }
}
export const BIN = path.join(REPO, "dist", "bin.js")
/** The installed executable (package.json "bin"), what `init` writes into host configs for an installed package. */
export const LAUNCHER = path.join(REPO, "dist", "session-bridge.cjs")

/**
 * Prints one result row. run.mjs collects every stdout line that is a JSON object with a `name`:
 *   { "name": string, "figure": string, "target"?: string, "ok"?: boolean }
 * `ok` is omitted (or null) for figures that are reported without a target.
 */
export const row = (name, figure, target, ok) => {
  const r = { name, figure: String(figure) }
  if (target !== undefined) r.target = target
  if (ok !== undefined) r.ok = ok
  process.stdout.write(JSON.stringify(r) + "\n")
}

/** Progress for humans: stderr only, so it never mixes with rows. */
export const log = (...parts) => process.stderr.write(parts.join(" ") + "\n")

export const percentile = (values, p) => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export const ms = (n) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`

/**
 * A fresh temporary home. `ram: true` puts it on /dev/shm when there is one: for benches that seed tens of
 * thousands of files, where creating and deleting them would otherwise measure the disk, not the bridge.
 */
export const tempHome = (prefix = "sb-bench-", { ram = false } = {}) => {
  const base = ram && fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir()
  return fs.mkdtempSync(path.join(base, prefix))
}

export const removeHome = (home) => fs.rmSync(home, { recursive: true, force: true })

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
export const ulid = () => {
  let t = Date.now()
  let time = ""
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time
    t = Math.floor(t / 32)
  }
  let rand = ""
  for (let i = 0; i < 16; i++) rand += CROCKFORD[randomInt(32)]
  return time + rand
}

/** Fails fast when dist/ has not been built (`npm run bench` builds first). */
export const requireBuild = () => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`)
}

/**
 * Spawns `session-bridge mcp` on `home` as the session `sessionId` labelled `label`, connected over stdio, through
 * the installed executable (the launcher), as the command `init` writes into host configs runs it; `bin` and
 * `nodeArgs` (e.g. `--cpu-prof`) to run another build or profile one.
 */
export const spawnMcp = async ({
  home,
  sessionId = ulid(),
  label,
  cwd,
  env = {},
  clientName = "session-bridge-bench",
  bin = LAUNCHER,
  nodeArgs = []
}) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...nodeArgs, bin, "mcp"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: path.join(home, "user-home"),
      SESSION_BRIDGE_HOME: home,
      SESSION_BRIDGE_SESSION_ID: sessionId,
      ...(label ? { SESSION_BRIDGE_LABEL: label } : {}),
      ...env
    },
    cwd: cwd ?? home,
    stderr: "pipe",
    maxBufferSize: 64 * 1024 * 1024
  })
  let stderr = ""
  transport.stderr?.on("data", (c) => (stderr += c))
  const client = new Client({ name: clientName, version: "1.0.0" })
  await client.connect(transport)
  const call = async (name, args = {}, timeout = 120_000) => {
    const result = await client.callTool({ name, arguments: args }, undefined, { timeout })
    const json = JSON.parse(result.content[0]?.text ?? "null")
    if (result.isError) throw new Error(`${name}: ${json.code}: ${json.message}\n${stderr}`)
    return json
  }
  return { client, call, sessionId, label, stderr: () => stderr, close: () => client.close() }
}

/** Median wall time (ms) of `runs` runs of a command, after `warmup` runs. */
export const medianSpawn = (command, args, { runs = 15, warmup = 2, input } = {}) => {
  const times = []
  for (let i = 0; i < runs + warmup; i++) {
    const start = process.hrtime.bigint()
    const r = spawnSync(command, args, { input, stdio: ["pipe", "ignore", "ignore"] })
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}`)
    if (i >= warmup) times.push(elapsed)
  }
  return percentile(times, 50)
}

/**
 * The load generator's HTTP client: node:http over keep-alive sockets, the JSON body sent and parsed. Undici's
 * `fetch` costs this machine about 1.5 ms of CPU per request, more than the relay spends on it, and the two share
 * the same 2 cores; a real relay's senders are other machines. Answers `{ status, body }` like the tests' `call`;
 * a refused or reset connection rejects with its code in the message (ECONNREFUSED, ECONNRESET), and one aborted by
 * `signal` rejects too (ABORT_ERR).
 */
const keepAlive = new http.Agent({ keepAlive: true })
export const httpJson = (url, method, route, { token, body, signal } = {}) =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const headers = {}
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    if (payload !== undefined) {
      headers["content-type"] = "application/json"
      headers["content-length"] = payload.length
    }
    const req = http.request(`${url}${route}`, { method, headers, agent: keepAlive, signal }, (res) => {
      const chunks = []
      res.on("data", (c) => chunks.push(c))
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        let parsed = text
        try {
          parsed = text === "" ? null : JSON.parse(text)
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode, body: parsed, headers: res.headers })
      })
      res.on("error", reject)
    })
    req.on("error", (error) => reject(new Error(`${error.code ?? "request"}: ${error.message}`)))
    req.end(payload)
  })
