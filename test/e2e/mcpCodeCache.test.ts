import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ensureBuilt } from "../support/build.js"
import { type McpHandle, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/*
 * The MCP server's tool calls compiled through V8's code cache (src/platform/ToolsBoot.ts,
 * docs/adr/0062-tool-calls-through-a-code-cache.md), over real `session-bridge mcp` processes.
 */

const cacheFiles = (home: string): Array<string> =>
  fs.existsSync(path.join(home, "cache"))
    ? fs.readdirSync(path.join(home, "cache")).filter((n) => n.startsWith("mcp-tools-"))
    : []

/** The tool names a cache file says it holds code for. */
const coveredTools = (file: string): Array<string> => {
  const bytes = fs.readFileSync(file)
  return JSON.parse(bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString("utf8")) as Array<string>
}

const exited = async (pid: number | null): Promise<void> => {
  for (let i = 0; pid !== null && i < 200; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A server's whole life: spawned with debug lines on, `use`d, closed and gone; what it said of the cache. */
const serve = async (home: string, use: (server: McpHandle) => Promise<void>, cwd?: string): Promise<string> => {
  const server = await spawnMcp({
    home,
    ...(cwd !== undefined ? { cwd } : {}),
    sessionId: testSessionId(),
    env: { SESSION_BRIDGE_DEBUG: "1" }
  })
  try {
    await use(server)
  } finally {
    const pid = server.pid
    await server.close()
    await exited(pid)
  }
  return /code cache: (\w+)/.exec(server.stderr())?.[1] ?? "(no line)"
}

describe("session-bridge mcp: the tool calls' code cache", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("is written when a server ends, used by the next, and grows once per tool it did not hold", async () => {
    const home = tempHome()
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "none")
    const [file] = cacheFiles(home)
    assert.match(file ?? "", /^mcp-tools-v\d+\.\d+\.\d+-[a-z0-9]+-\d+-\d+\.v8$/)
    const cached = path.join(home, "cache", file!)
    assert.strictEqual(fs.statSync(cached).mode & 0o777, 0o600)
    assert.deepStrictEqual(coveredTools(cached), ["bridge_whoami"])

    // A server that runs only what the cache holds leaves it as it is.
    const written = fs.statSync(cached).mtimeMs
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "used")
    assert.strictEqual(fs.statSync(cached).mtimeMs, written)

    // One that runs another tool writes a cache naming both.
    const used = await serve(home, async (s) => {
      await s.ok("bridge_whoami")
      await s.ok("bridge_list_inbox")
    })
    assert.strictEqual(used, "used")
    assert.deepStrictEqual(cacheFiles(home), [file])
    assert.deepStrictEqual(coveredTools(cached), ["bridge_list_inbox", "bridge_whoami"])
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_list_inbox").then(() => undefined)), "used")
    fs.rmSync(home, { recursive: true, force: true })
  }, 60_000)

  it("is written by the server whose first call created the home", async () => {
    const parent = tempHome()
    const home = path.join(parent, "bridge")
    const whoami = (s: McpHandle) => s.ok("bridge_whoami").then(() => undefined)
    assert.strictEqual(await serve(home, whoami, parent), "none")
    assert.strictEqual(cacheFiles(home).length, 1)
    assert.strictEqual(await serve(home, whoami, parent), "used")
    fs.rmSync(parent, { recursive: true, force: true })
  }, 30_000)

  it("is written once a running server has been idle, without waiting for it to end", async () => {
    const home = tempHome()
    await serve(home, async (s) => {
      await s.ok("bridge_whoami")
      assert.deepStrictEqual(cacheFiles(home), [])
      for (let i = 0; i < 100 && cacheFiles(home).length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 50))
      assert.strictEqual(cacheFiles(home).length, 1, "written about 2 s after the last call")
    })
    fs.rmSync(home, { recursive: true, force: true })
  }, 30_000)

  it("a damaged cache is compiled around and replaced; the calls answer as ever", async () => {
    const home = tempHome()
    await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined))
    const cached = path.join(home, "cache", cacheFiles(home)[0]!)
    const header = fs.readFileSync(cached).subarray(0, 4 + fs.readFileSync(cached).readUInt32BE(0))
    for (const damaged of [
      Buffer.from("not V8 code"),
      Buffer.concat([header, Buffer.from("not V8 code either")]),
      Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from("a header longer than the file")])
    ]) {
      fs.writeFileSync(cached, damaged)
      const said = await serve(home, async (s) => {
        const me = await s.ok("bridge_whoami")
        assert.isString(me.sessionId)
      })
      assert.include(["rejected", "none"], said)
      assert.deepStrictEqual(coveredTools(cached), ["bridge_whoami"], "replaced by a sound one")
      assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "used")
    }
    fs.rmSync(home, { recursive: true, force: true })
  }, 60_000)

  it("a FIFO or a link planted as the cache, or a linked cache folder: never blocks, never reads or writes out", async () => {
    const home = tempHome()
    await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined))
    const name = cacheFiles(home)[0]!
    const cached = path.join(home, "cache", name)
    fs.rmSync(cached)
    execFileSync("mkfifo", [cached])
    const started = Date.now()
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "none")
    assert.isBelow(Date.now() - started, 10_000)
    // The rename replaced the FIFO with a sound cache.
    assert.isTrue(fs.lstatSync(cached).isFile())
    fs.rmSync(cached)
    fs.symlinkSync("/dev/zero", cached)
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "none")
    assert.isTrue(fs.lstatSync(cached).isFile(), "the link is replaced, /dev/zero untouched")
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sb-cache-outside-"))
    fs.rmSync(path.join(home, "cache"), { recursive: true })
    fs.symlinkSync(outside, path.join(home, "cache"))
    assert.strictEqual(await serve(home, (s) => s.ok("bridge_whoami").then(() => undefined)), "none")
    assert.deepStrictEqual(fs.readdirSync(outside), [])
    fs.rmSync(outside, { recursive: true })
    fs.rmSync(home, { recursive: true, force: true })
  }, 60_000)
})
