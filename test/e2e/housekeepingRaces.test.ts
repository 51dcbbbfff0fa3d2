import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureBuilt } from "../support/build.js"
import { type Ran, runBin as runOnHome, scratchDirs } from "../support/cliRun.js"
import { type McpHandle, spawnMcp, testSessionId, type ToolOutcome } from "../support/mcpClient.js"

/** Runs `node dist/bin.js <args>` on a home from the folder that holds it, stdin closed. */
const runBin = (home: string, args: ReadonlyArray<string>): Promise<Ran> =>
  runOnHome(home, args, { cwd: path.dirname(home) })

/** What is wrong with a home: a record that does not parse, a temp file, or a purge's leftover beside it. */
const inconsistencies = (home: string): Array<string> => {
  const problems: Array<string> = []
  const visit = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) visit(file)
      else if (entry.name.startsWith(".tmp-")) problems.push(`temp file ${file}`)
      else if (entry.name.endsWith(".json") && !entry.name.endsWith(".lock")) {
        try {
          JSON.parse(fs.readFileSync(file, "utf8"))
        } catch {
          problems.push(`does not parse: ${file}`)
        }
      }
    }
  }
  visit(home)
  for (const n of fs.readdirSync(path.dirname(home))) if (n.includes(".purge-")) problems.push(`left beside: ${n}`)
  return problems
}

/** Two MCP servers sending to each other, three sends in flight each, until stopped. */
const startSenders = async (home: string) => {
  const cwd = path.dirname(home)
  const env = { SESSION_BRIDGE_MAX_BACKLOG: "100000" }
  const alpha = await spawnMcp({ home, cwd, env, sessionId: testSessionId(), label: "alpha" })
  const beta = await spawnMcp({ home, cwd, env, sessionId: testSessionId(), label: "beta" })
  await alpha.ok("bridge_whoami")
  await beta.ok("bridge_whoami")
  let stopped = false
  const outcomes: Array<ToolOutcome> = []
  const loop = async (from: McpHandle, to: string) => {
    for (let i = 0; !stopped; i++)
      outcomes.push(await from.call("bridge_send_message", { to: { label: to }, subject: `race ${i}`, body: "x" }))
  }
  const loops = [1, 2, 3].flatMap(() => [loop(alpha, "beta"), loop(beta, "alpha")])
  return {
    outcomes,
    /** Waits until at least `n` more sends have finished. */
    sends: async (n: number) => {
      const target = outcomes.length + n
      while (outcomes.length < target) await new Promise((r) => setTimeout(r, 10))
    },
    stop: async () => {
      stopped = true
      await Promise.all(loops)
      await alpha.close()
      await beta.close()
    }
  }
}

const failures = (runs: ReadonlyArray<Ran>) =>
  runs.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim()}`)

describe("housekeeping while messages are sent", () => {
  const scratch = scratchDirs("sb-house-")
  const home = () => path.join(scratch.make(), "home")

  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)
  afterAll(() => scratch.removeAll())

  it("gc racing senders, and two gc runs at once, all exit 0 and every send lands", async () => {
    const root = home()
    const senders = await startSenders(root)
    const runs: Array<Ran> = []
    try {
      await senders.sends(20)
      for (let i = 0; i < 4; i++) runs.push(await runBin(root, ["gc", "--json"]))
      for (let i = 0; i < 2; i++) runs.push(...(await Promise.all([runBin(root, ["gc"]), runBin(root, ["gc"])])))
    } finally {
      await senders.stop()
    }
    expect(failures(runs)).toEqual([])
    expect(senders.outcomes.filter((o) => !o.ok)).toEqual([])
    // With the servers gone, so are the temp files they made ahead (ADR-0074): every file left is a message.
    expect(inconsistencies(root)).toEqual([])
    const inboxes = fs.readdirSync(path.join(root, "inbox"))
    const delivered = inboxes.reduce((n, d) => n + fs.readdirSync(path.join(root, "inbox", d)).length, 0)
    expect(delivered).toBe(senders.outcomes.length)
  }, 120_000)

  it("purge --yes during sends exits 0, says what it deleted, and leaves a consistent home", async () => {
    const root = home()
    const senders = await startSenders(root)
    let purge: Ran
    try {
      await senders.sends(30)
      purge = await runBin(root, ["purge", "--yes", "--json"])
      await senders.sends(10)
    } finally {
      await senders.stop()
    }
    expect(failures([purge])).toEqual([])
    const report = JSON.parse(purge.stdout)
    expect(report.home).toBe(root)
    expect(report.movedAside).toBe(true)
    expect(report.deleted.sessions).toBe(2)
    expect(report.deleted.inboxMessages).toBeGreaterThanOrEqual(30)
    // Sends after the purge go to sessions that no longer exist (or to directories a running server had made
    // before the purge): they fail with a stable code, never an internal error.
    const codes = new Set(senders.outcomes.flatMap((o) => (o.ok ? [] : [o.error.code])))
    expect([...codes].filter((c) => c === "INTERNAL")).toEqual([])
    expect(inconsistencies(root)).toEqual([])
    const after = await runBin(root, ["gc"])
    expect(failures([after])).toEqual([])
  }, 120_000)
})
