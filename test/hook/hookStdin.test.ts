import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ensureBuilt, LAUNCHER } from "../support/build.js"

beforeAll(async () => {
  await ensureBuilt()
}, 180_000)

const BUDGET_MS = 1000
/** Process start-up on a busy machine, on top of the budget the hook enforces itself. */
const SLACK_MS = 2500

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly ms: number
}

/** Starts the hook with `stdin` as its fd 0 and never writes to it nor closes it while the hook runs. */
const runHeld = (home: string, stdin: "pipe" | number) =>
  new Promise<Run>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [LAUNCHER, "hook", "UserPromptSubmit", "--provider", "claude-code"], {
      cwd: home,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: home,
        SESSION_BRIDGE_HOME: path.join(home, "bridge"),
        SESSION_BRIDGE_HOOK_BUDGET_MS: String(BUDGET_MS)
      },
      stdio: [stdin, "pipe", "ignore"]
    })
    let stdout = ""
    child.stdout?.on("data", (c) => (stdout += c))
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
    child.on("error", reject)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, ms: performance.now() - started })
    })
  })

describe("hook whose host holds stdin open and writes nothing", () => {
  it("exits 0 with the empty reply within its budget (a socket, as Node.js hosts give)", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-hook-held-"))
    // "pipe" from Node's spawn is a socket pair; this process keeps its end open and silent.
    const run = await runHeld(home, "pipe")
    assert.strictEqual(run.code, 0)
    assert.strictEqual(run.stdout, "")
    assert.isBelow(run.ms, BUDGET_MS + SLACK_MS)
  }, 30_000)

  it("exits 0 with the empty reply within its budget (a real pipe whose writer stays open)", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-hook-held-"))
    const fifo = path.join(home, "stdin.fifo")
    execFileSync("mkfifo", [fifo])
    // Opened read-write: the write side stays open in this process for the whole run.
    const fd = fs.openSync(fifo, fs.constants.O_RDWR)
    try {
      const run = await runHeld(home, fd)
      assert.strictEqual(run.code, 0)
      assert.strictEqual(run.stdout, "")
      assert.isBelow(run.ms, BUDGET_MS + SLACK_MS)
    } finally {
      fs.closeSync(fd)
    }
  }, 30_000)
})

/**
 * Runs the hook with `payload` on a socket pair (Node's "pipe", as Node.js hosts give), through a preload that
 * writes the Node built-ins the process loaded to a file at exit. No SESSION_BRIDGE_DEBUG: its lines go through
 * process.stderr, which is a socket here too and loads node:net by itself.
 */
const runOnSocket = (home: string, payload: string, env: Record<string, string> = {}) => {
  const probe = path.join(home, "probe.cjs")
  const loadedFile = path.join(home, "loaded.json")
  fs.writeFileSync(
    probe,
    `process.once("exit", () => require("node:fs").writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(process.moduleLoadList)))`
  )
  const r = spawnSync(
    process.execPath,
    ["--require", probe, LAUNCHER, "hook", "UserPromptSubmit", "--provider", "claude-code"],
    {
      cwd: home,
      input: payload,
      encoding: "utf8",
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: home,
        SESSION_BRIDGE_HOME: path.join(home, "bridge"),
        ...env
      }
    }
  )
  const loaded = JSON.parse(fs.readFileSync(loadedFile, "utf8")) as Array<string>
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded }
}

describe("hook reading a socket on stdin (Node.js hosts)", () => {
  const payload = (home: string) =>
    JSON.stringify({
      session_id: "5b0c1e1e-0000-4000-8000-sockettest01",
      cwd: home,
      hook_event_name: "UserPromptSubmit",
      prompt: "hi"
    })

  it("reads the whole payload through a pipe handle, without loading node:net", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-hook-socket-"))
    const run = runOnSocket(home, payload(home))
    assert.strictEqual(run.status, 0)
    // The prompt registered its session: the payload was read whole and decoded.
    assert.lengthOf(fs.readdirSync(path.join(home, "bridge", "sessions")), 1)
    assert.notInclude(run.loaded, "NativeModule net")
    assert.notInclude(run.loaded, "NativeModule internal/perf/observe")
  }, 30_000)

  it("falls back to node:net, with no deprecation warning, when deprecations are reported", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-hook-socket-"))
    const run = runOnSocket(home, payload(home), { NODE_OPTIONS: "--pending-deprecation" })
    assert.strictEqual(run.status, 0)
    assert.lengthOf(fs.readdirSync(path.join(home, "bridge", "sessions")), 1)
    assert.notInclude(run.stderr, "DeprecationWarning")
    assert.include(run.loaded, "NativeModule net")
  }, 30_000)
})
