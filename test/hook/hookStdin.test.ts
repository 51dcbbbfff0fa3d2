import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"
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
