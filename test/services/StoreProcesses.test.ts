import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundleWorker } from "../support/bundleWorker.js"

let worker = ""
beforeAll(() => {
  worker = bundleWorker("test/support/workers/storeWorker.ts")
})
const dirs: Array<string> = []
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
const home = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "sb-proc-"))
  dirs.push(d)
  return path.join(d, "home")
}

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("Store across processes", () => {
  it("20 processes racing create-exclusive on one name: one wins, nothing overwritten", async () => {
    const root = home()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run(["create", root, "inbox/S/m.json", String(i)]))
    )
    expect(results.every((r) => r.code === 0)).toBe(true)
    const winners = results.map((r, i) => [r.stdout.trim(), i] as const).filter(([o]) => o === "won")
    expect(winners).toHaveLength(1)
    expect(fs.readFileSync(path.join(root, "inbox/S/m.json"), "utf8")).toBe(`writer-${winners[0]![1]}`)
    expect(fs.readdirSync(path.join(root, "inbox/S"))).toEqual(["m.json"])
  })

  it("a writer killed with SIGKILL mid-write leaves no partial file visible", async () => {
    const root = home()
    const target = path.join(root, "sessions/big.json")
    const child = spawn(process.execPath, [worker, "write-loop", root, "sessions/big.json"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()))
    // Let it complete a few writes and be somewhere inside the next one.
    await new Promise((r) => setTimeout(r, 400))
    child.kill("SIGKILL")
    await new Promise((r) => child.once("close", r))
    if (fs.existsSync(target)) {
      const content = fs.readFileSync(target, "utf8")
      const match = /^(\d+):x+:(\d+)$/.exec(content)
      expect(match).not.toBeNull()
      expect(match![1]).toBe(match![2])
      expect(content.length).toBe(4 * 1024 * 1024 + 2 * match![1]!.length + 2)
    }
    // Whatever temp file was in flight is invisible to readers of the directory.
    const visible = fs.readdirSync(path.join(root, "sessions")).filter((n) => !n.startsWith(".tmp-"))
    expect(visible.every((n) => n === "big.json")).toBe(true)
  })

  it("the file lock serializes read-modify-write across 4 processes", async () => {
    const root = home()
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(["lock-increment", root, "counter.txt", "25"]))
    )
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
    expect(fs.readFileSync(path.join(root, "counter.txt"), "utf8")).toBe("100")
  })

  it("a lock held by a dead process is recovered", async () => {
    const root = home()
    const holder = spawn(process.execPath, [worker, "lock-hold", root], { stdio: ["ignore", "pipe", "pipe"] })
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()))
    expect(fs.existsSync(path.join(root, "locks/held.lock"))).toBe(true)
    holder.kill("SIGKILL")
    await new Promise((r) => holder.once("close", r))
    // The lock file outlived its holder; a new process must still get through.
    expect(fs.existsSync(path.join(root, "locks/held.lock"))).toBe(true)
    fs.writeFileSync(path.join(root, "counter.txt"), "0")
    const lockFile = JSON.parse(fs.readFileSync(path.join(root, "locks/held.lock"), "utf8"))
    fs.renameSync(path.join(root, "locks/held.lock"), path.join(root, "locks/counter.lock"))
    expect(spawnSync("kill", ["-0", String(lockFile.pid)]).status).not.toBe(0)
    const result = await run(["lock-increment", root, "counter.txt", "1"])
    expect(result.code).toBe(0)
    expect(fs.readFileSync(path.join(root, "counter.txt"), "utf8")).toBe("1")
  })

  it("six processes racing a dead holder's lock: every update lands, in 40 trials", async () => {
    const root = home()
    fs.mkdirSync(path.join(root, "locks"), { recursive: true, mode: 0o700 })
    // Six long-lived racers; each trial plants a dead holder's lock and releases them all at once.
    const racers = Array.from({ length: 6 }, (_, i) => {
      const child = spawn(process.execPath, [worker, "stale-race", root, "members", `s${i}`], {
        stdio: ["pipe", "pipe", "pipe"]
      })
      let out = ""
      let stderr = ""
      const waiters: Array<() => void> = []
      child.stdout.on("data", (d) => {
        out += d
        waiters.forEach((w) => w())
      })
      child.stderr.on("data", (d) => (stderr += d))
      const seen = (line: string) =>
        new Promise<void>((resolve) => {
          const check = () => out.split("\n").includes(line) && resolve()
          waiters.push(check)
          check()
        })
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve))
      return { child, seen, exited, stderr: () => stderr }
    })
    await Promise.all(racers.map((r) => r.seen("ready")))
    // A pid no process has (above the kernel's pid_max), so the planted lock is a dead holder's.
    const dead = JSON.stringify({ pid: 2_147_483_000, token: "dead-holder", at: Date.now() })
    const lost: Array<string> = []
    for (let n = 0; n < 40; n++) {
      fs.writeFileSync(path.join(root, `locks/members-${n}.lock`), dead, { mode: 0o600 })
      for (const r of racers) r.child.stdin.write(`${n}\n`)
      await Promise.all(racers.map((r) => r.seen(`done ${n}`)))
      const members: Array<string> = JSON.parse(fs.readFileSync(path.join(root, `members-${n}.json`), "utf8"))
      if (members.length !== 6) lost.push(`trial ${n}: ${members.join(",")}`)
    }
    for (const r of racers) r.child.stdin.end()
    const codes = await Promise.all(racers.map((r) => r.exited))
    expect(codes, racers.map((r) => r.stderr()).join("")).toEqual([0, 0, 0, 0, 0, 0])
    expect(lost).toEqual([])
    // Nothing is left behind: stale locks, claims and moved-aside files are all gone.
    expect(fs.readdirSync(path.join(root, "locks"))).toEqual([])
  }, 30_000)
})
