import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { BIN, ensureBuilt } from "../support/build.js"
import { request } from "../ui/http.js"
import { type McpHandle, serverEnv, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/**
 * Real `session-bridge` processes on a home where things were planted that no store write makes: FIFOs, links
 * out of the home, a sparse 600 MB file. Nothing may block, leave the home, or load a file whole.
 */
const handles: Array<McpHandle> = []
let home: string

beforeAll(async () => {
  await ensureBuilt()
  home = tempHome("sb-hostile-")
}, 180_000)

afterAll(async () => {
  for (const h of handles) await h.close()
})

const sparse = (file: string, bytes: number) => {
  const fd = fs.openSync(file, "w", 0o600)
  fs.ftruncateSync(fd, bytes)
  fs.closeSync(fd)
}

/** Runs the CLI under /usr/bin/time; returns its output and its peak resident memory in KiB. */
const cli = (args: ReadonlyArray<string>) => {
  const ran = spawnSync("/usr/bin/time", ["-f", "maxrss=%M", process.execPath, BIN, ...args], {
    env: serverEnv({ home }),
    cwd: home,
    encoding: "utf8",
    timeout: 60_000
  })
  const rss = Number(/maxrss=(\d+)/.exec(ran.stderr)?.[1] ?? "NaN")
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr, rssKiB: rss }
}

describe("a hostile home", () => {
  it("the MCP server still answers bridge_list_inbox with a FIFO, a /dev/zero link and a 600 MB file in the inbox", async () => {
    const bobId = testSessionId()
    const alice = await spawnMcp({ home, sessionId: testSessionId(), label: "alice" })
    const bob = await spawnMcp({ home, sessionId: bobId, label: "bob" })
    handles.push(alice, bob)
    await bob.ok("bridge_whoami")
    for (const subject of ["first", "second"])
      await alice.ok("bridge_send_message", { to: { label: "bob" }, subject, body: "b" })
    const inbox = path.join(home, "inbox", bobId)
    // The server may keep a temp file made ahead in the inbox (ADR-0074): messages only.
    const messages = () => fs.readdirSync(inbox).filter((n) => !n.startsWith(".tmp-"))
    const [one] = messages().sort()
    const near = (c: string) => one!.slice(0, 20) + c.repeat(6) + ".json"
    execFileSync("mkfifo", [path.join(inbox, near("A"))])
    fs.symlinkSync("/dev/zero", path.join(inbox, near("B")))
    sparse(path.join(inbox, near("C")), 600 * 1024 * 1024)
    const started = Date.now()
    const listed = await bob.ok("bridge_list_inbox", { all: true }, { timeoutMs: 15_000 })
    assert.isBelow(Date.now() - started, 10_000)
    assert.deepStrictEqual(listed.entries.map((e: { subject: string }) => e.subject).sort(), ["first", "second"])
    assert.deepStrictEqual(messages().length, 2)
    // And it goes on answering.
    assert.strictEqual((await bob.ok("bridge_whoami")).sessionId, bobId)
  }, 60_000)

  it("inspect reads only what it prints of a 300 MB file, and refuses a linked directory", () => {
    sparse(path.join(home, "big.txt"), 300 * 1024 * 1024)
    const big = cli(["inspect", "big.txt"])
    assert.strictEqual(big.code, 0, big.stderr)
    assert.include(big.stdout, "big.txt")
    // node itself takes ~50-80 MB; the old whole-file read took ~1 GB.
    assert.isBelow(big.rssKiB, 200 * 1024)
    fs.symlinkSync("/etc", path.join(home, "etclink"))
    const linked = cli(["inspect", "etclink/passwd"])
    assert.notStrictEqual(linked.code, 0)
    assert.include(linked.stderr + linked.stdout, "HOME_UNSAFE")
    assert.notInclude(linked.stdout, "root:")
  }, 60_000)

  it("a linked inbox directory is refused: nothing is written through it, and the target is not chmodded", async () => {
    const victimId = testSessionId()
    const victim = await spawnMcp({ home, sessionId: victimId, label: "victim" })
    handles.push(victim)
    await victim.ok("bridge_whoami")
    const outside = fs.mkdtempSync(path.join(path.dirname(home), "sb-outside-"))
    fs.chmodSync(outside, 0o755)
    fs.rmSync(path.join(home, "inbox", victimId), { recursive: true, force: true })
    fs.symlinkSync(outside, path.join(home, "inbox", victimId))
    const sender = await spawnMcp({ home, sessionId: testSessionId(), label: "sender" })
    handles.push(sender)
    const r = await sender.call("bridge_send_message", { to: { label: "victim" }, subject: "s", body: "b" })
    assert.isFalse(r.ok)
    if (!r.ok) assert.strictEqual(r.error.code, "HOME_UNSAFE")
    assert.deepStrictEqual(fs.readdirSync(outside), [])
    assert.strictEqual(fs.statSync(outside).mode & 0o777, 0o755)
  }, 60_000)

  it("the dashboard answers every route with FIFOs planted among records, and exits on SIGTERM", async () => {
    const uiHome = tempHome("sb-hostile-ui-")
    const bobId = testSessionId()
    const alice = await spawnMcp({ home: uiHome, sessionId: testSessionId(), label: "alice" })
    const bob = await spawnMcp({ home: uiHome, sessionId: bobId, label: "bob" })
    handles.push(alice, bob)
    await bob.ok("bridge_whoami")
    await alice.ok("bridge_send_message", { to: { label: "bob" }, subject: "s", body: "b" })
    const [first] = fs.readdirSync(path.join(uiHome, "sessions")).sort()
    execFileSync("mkfifo", [path.join(uiHome, "sessions", first!.slice(0, 20) + "FIFOFI.json")])
    const [msg] = fs.readdirSync(path.join(uiHome, "inbox", bobId))
    execFileSync("mkfifo", [path.join(uiHome, "inbox", bobId, msg!.slice(0, 20) + "FIFOFI.json")])
    const child = spawn(process.execPath, [BIN, "ui", "--no-open", "--json"], {
      env: serverEnv({ home: uiHome }),
      cwd: uiHome,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const line = await new Promise<string>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString()
        if (out.includes("\n")) resolve(out.split("\n")[0]!)
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}`)))
    })
    const info = JSON.parse(line) as { port: number; token: string }
    for (const route of ["/api/sessions", "/api/messages", "/api/broadcasts", "/api/channels", "/api/artifacts"]) {
      const res = await request(info.port, `${route}?token=${info.token}`)
      assert.strictEqual(res.status, 200, `${route}: ${res.body.slice(0, 300)}`)
    }
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const started = Date.now()
    child.kill("SIGTERM")
    assert.strictEqual(await exited, 130)
    assert.isBelow(Date.now() - started, 5_000)
  }, 60_000)

  it("doctor repairs loose modes and says what it changed", () => {
    const doctorHome = tempHome("sb-doctor-")
    fs.mkdirSync(path.join(doctorHome, "sessions"))
    fs.writeFileSync(path.join(doctorHome, "sessions", "x.json"), "{}")
    fs.chmodSync(path.join(doctorHome, "sessions", "x.json"), 0o666)
    fs.chmodSync(path.join(doctorHome, "sessions"), 0o777)
    const ran = spawnSync(process.execPath, [BIN, "doctor", "--json"], {
      env: serverEnv({ home: doctorHome }),
      encoding: "utf8",
      timeout: 60_000
    })
    const report = JSON.parse(ran.stdout) as { checks: Array<{ area: string; message: string }> }
    const repairs = report.checks.filter((c) => c.area === "modes").map((c) => c.message)
    assert.includeMembers(repairs, ["repaired sessions: 777 → 700", "repaired sessions/x.json: 666 → 600"])
    assert.strictEqual(fs.statSync(path.join(doctorHome, "sessions")).mode & 0o777, 0o700)
    assert.strictEqual(fs.statSync(path.join(doctorHome, "sessions", "x.json")).mode & 0o777, 0o600)
  }, 90_000)
})
