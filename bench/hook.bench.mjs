// Hook wall time, whole process (`node dist/session-bridge.cjs hook UserPromptSubmit --provider claude-code`, the
// command `init` writes for an installed package), prompt submit with
// 0 and with 20 unread messages, median of RUNS runs each, as a ratio to `node -e 0` measured in the same loop; and the
// floor any Effect + Schema hook starts from (see below).
import { spawnSync } from "node:child_process"
import { build } from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { LAUNCHER, log, ms, percentile, removeHome, requireBuild, row, spawnMcp, tempHome } from "./lib.mjs"

requireBuild()
const RUNS = Number(process.env.HOOK_BENCH_RUNS ?? 30)
const CLEAN_RUNS = Math.min(RUNS, 15)
const TARGET = 1.5
const home = tempHome("sb-bench-hook-")
const cwd = path.join(home, "project")
fs.mkdirSync(cwd)
// Hosts hand their own environment to hooks, so both commands inherit this one (NODE_EXTRA_CA_CERTS, if set,
// makes every node start slower, the baseline too); with it set, a last pair of rows uses a clean environment.
// A generous budget so that every run does its whole work, however busy the machine.
const bridgeEnv = {
  HOME: path.join(home, "user-home"),
  SESSION_BRIDGE_HOME: home,
  SESSION_BRIDGE_HOOK_BUDGET_MS: "20000"
}
const clean = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...bridgeEnv }
let env = { ...process.env, ...bridgeEnv }
const payload = JSON.stringify({
  session_id: "5b0c1e1e-0000-4000-8000-bench0000001",
  transcript_path: path.join(home, "t.jsonl"),
  cwd,
  permission_mode: "default",
  hook_event_name: "UserPromptSubmit",
  prompt: "hi"
})
const hookArgs = (event) => [LAUNCHER, "hook", event, "--provider", "claude-code"]
const hasTime = fs.existsSync("/usr/bin/time")
// Every measured process runs on one CPU (taskset, when present; HOOK_BENCH_CPU picks it, "none" turns pinning
// off), so that the hook and its baseline share a core: on a shared machine the cores' speeds can differ by tens
// of percent, and a median over runs landing on either core is then a median of two distributions.
const CPU = process.env.HOOK_BENCH_CPU ?? "0"
const taskset = ["/usr/bin/taskset", "/bin/taskset"].find((p) => fs.existsSync(p))
const pin = taskset !== undefined && CPU !== "none" ? [taskset, "-c", CPU] : []

/** One process: wall ms, CPU ms (user+sys, through /usr/bin/time when present) and its stdout. */
const timed = (args, input) => {
  const inner = hasTime ? ["/usr/bin/time", "-f", "%U %S", process.execPath, ...args] : [process.execPath, ...args]
  const [command, ...argv] = [...pin, ...inner]
  const start = process.hrtime.bigint()
  const r = spawnSync(command, argv, { input, env, cwd, encoding: "utf8" })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  const times = hasTime ? r.stderr.trim().split("\n").pop().split(" ").map(Number) : [NaN, NaN]
  return { wall, cpu: (times[0] + times[1]) * 1000, stdout: r.stdout }
}

const hookRun = () => timed(hookArgs("UserPromptSubmit"), payload)

// The floor: the least an Effect hook can do (read stdin, decode it with effect/Schema in an Effect program,
// print nothing), bundled the same way and started through the same V8 code cache. It shows how much of the
// hook's time Effect and Schema take by themselves on this machine.
const floorDir = path.join(home, "floor")
fs.mkdirSync(floorDir)
await build({
  stdin: {
    contents: `import * as Effect from "effect/Effect"
      import * as Schema from "effect/Schema"
      const Payload = Schema.Struct({ session_id: Schema.String, cwd: Schema.String, prompt: Schema.optional(Schema.String) })
      const stdin = Effect.async((resume) => {
        const chunks = []
        process.stdin.on("data", (c) => chunks.push(c))
        process.stdin.once("end", () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
      })
      Effect.runPromise(Effect.flatMap(stdin, (raw) => Schema.decodeUnknown(Schema.parseJson(Payload))(raw))).then(
        () => process.stdout.write("", () => process.exit(0))
      )`,
    resolveDir: path.resolve(import.meta.dirname, ".."),
    loader: "js"
  },
  outfile: path.join(floorDir, "floor.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  charset: "ascii",
  logLevel: "error"
})
fs.writeFileSync(
  path.join(floorDir, "run.cjs"),
  `const fs = require("node:fs"), vm = require("node:vm"), path = require("node:path")
  const file = path.join(__dirname, "floor.cjs"), cache = path.join(__dirname, "floor.v8")
  let cachedData
  try { cachedData = fs.readFileSync(cache) } catch {}
  const script = new vm.Script("(function (exports, require, module, __filename, __dirname) {" + fs.readFileSync(file, "latin1") + "\\n})", { filename: file, ...(cachedData ? { cachedData } : {}) })
  if (!cachedData || script.cachedDataRejected) process.once("exit", () => fs.writeFileSync(cache, script.createCachedData()))
  const m = { exports: {} }
  script.runInThisContext()(m.exports, require, m, file, __dirname)`
)
const floorRun = () => timed([path.join(floorDir, "run.cjs")], payload)
const shown = (stdout) =>
  stdout === "" ? 0 : (JSON.parse(stdout).hookSpecificOutput.additionalContext.match(/^id: /gm) ?? []).length

try {
  // The session, as its host starts it; then one code-cache-less run (the first run writes the cache).
  timed(hookArgs("SessionStart"), payload.replace("UserPromptSubmit", "SessionStart"))
  const sessionId = fs.readdirSync(path.join(home, "sessions"))[0].replace(/\.json$/, "")
  fs.rmSync(path.join(home, "cache"), { recursive: true, force: true })
  const cold = hookRun()
  row("hook prompt, first run (writes the code cache)", ms(cold.wall), "report")

  const sender = await spawnMcp({ home, label: "bench-sender", cwd: home })
  const surfacedDir = path.join(home, "state", sessionId, "surfaced")
  const samples = { node: [], zero: [], twenty: [], floor: [], nodeCpu: [], zeroCpu: [], twentyCpu: [] }
  const seed = async (from, to) => {
    for (let i = from; i < to; i++) {
      await sender.call("bridge_send_message", {
        to: { sessionId },
        subject: `bench ${i}`,
        body: `message ${i} `.repeat(20)
      })
    }
  }
  // Warm-up: page cache, code cache.
  for (let i = 0; i < 3; i++) {
    timed(["-e", "0"])
    hookRun()
    floorRun()
  }
  // Interleave node -e 0, 0 unread and 20 unread so load on a shared machine hits all three alike.
  // 20 unread: the same 20 messages, their surfaced markers removed before each run (not timed).
  await seed(0, 20)
  const marked = () => (fs.existsSync(surfacedDir) ? fs.readdirSync(surfacedDir) : [])
  for (const id of marked()) fs.rmSync(path.join(surfacedDir, id))
  for (let i = 0; i < RUNS; i++) {
    const base = timed(["-e", "0"])
    samples.node.push(base.wall)
    samples.nodeCpu.push(base.cpu)
    const twenty = hookRun()
    if (shown(twenty.stdout) !== 20) throw new Error(`expected 20 surfaced, got ${shown(twenty.stdout)}`)
    samples.twenty.push(twenty.wall)
    samples.twentyCpu.push(twenty.cpu)
    const zero = hookRun()
    if (zero.stdout !== "") throw new Error(`expected nothing to surface, got ${zero.stdout.slice(0, 80)}`)
    samples.zero.push(zero.wall)
    samples.zeroCpu.push(zero.cpu)
    samples.floor.push(floorRun().wall)
    for (const id of marked()) fs.rmSync(path.join(surfacedDir, id))
  }
  // A large backlog: 500 waiting, of which a prompt shows (and reads) only the oldest 20.
  await seed(20, 500)
  const backlog = []
  for (let i = 0; i < CLEAN_RUNS; i++) {
    const base = timed(["-e", "0"])
    const run = hookRun()
    if (shown(run.stdout) !== 20) throw new Error(`expected 20 of 500 surfaced, got ${shown(run.stdout)}`)
    backlog.push(run.wall / base.wall)
    for (const id of marked()) fs.rmSync(path.join(surfacedDir, id))
  }
  await sender.close()
  // Everything surfaced: the runs after this one have nothing to show.
  fs.mkdirSync(surfacedDir, { recursive: true })
  for (const n of fs.readdirSync(path.join(home, "inbox", sessionId))) {
    fs.writeFileSync(path.join(surfacedDir, n.replace(/\.json$/, "")), "")
  }

  const base = percentile(samples.node, 50)
  const baseCpu = percentile(samples.nodeCpu, 50)
  row(`node -e 0 (p50 of ${RUNS})`, ms(base), "report")
  row("measured processes pinned to", pin.length > 0 ? `CPU ${CPU} (taskset)` : "no CPU (no taskset)", "report")
  for (const [key, label] of [
    ["zero", "0 unread"],
    ["twenty", "20 unread"]
  ]) {
    const p50 = percentile(samples[key], 50)
    const ratio = p50 / base
    row(
      `hook prompt, ${label}, wall (p50 of ${RUNS})`,
      `${ms(p50)} = ${ratio.toFixed(2)}× node -e 0`,
      `≤ ${TARGET}× node -e 0`,
      ratio <= TARGET
    )
    if (hasTime) {
      const cpu = percentile(samples[`${key}Cpu`], 50)
      row(
        `hook prompt, ${label}, CPU user+sys (p50)`,
        `${ms(cpu)} = ${(cpu / baseCpu).toFixed(2)}× node -e 0`,
        "report"
      )
    }
  }
  row(
    `hook prompt, 500 unread (shows the oldest 20), wall (p50 of ${CLEAN_RUNS} paired ratios)`,
    `${percentile(backlog, 50).toFixed(2)}× node -e 0`,
    "report"
  )
  const floor = percentile(samples.floor, 50)
  row(
    `floor: bundled effect + Schema decoding stdin, same code cache (p50 of ${RUNS})`,
    `${ms(floor)} = ${(floor / base).toFixed(2)}× node -e 0`,
    "report"
  )
  log(
    `hook bench: node ${ms(base)}, 0 unread ${ms(percentile(samples.zero, 50))}, 20 unread ${ms(percentile(samples.twenty, 50))}`
  )

  if (process.env.NODE_EXTRA_CA_CERTS) {
    env = clean
    const node = []
    const zero = []
    for (let i = 0; i < CLEAN_RUNS; i++) {
      node.push(timed(["-e", "0"]).wall)
      zero.push(hookRun().wall)
    }
    const b = percentile(node, 50)
    const z = percentile(zero, 50)
    row(`node -e 0, environment without NODE_EXTRA_CA_CERTS (p50 of ${CLEAN_RUNS})`, ms(b), "report")
    row(
      `hook prompt, 0 unread, same environment (p50 of ${CLEAN_RUNS})`,
      `${ms(z)} = ${(z / b).toFixed(2)}× node -e 0`,
      "report"
    )
  }
} finally {
  removeHome(home)
}
