import { assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { listedTools } from "../../src/mcp/ListedTools.js"
import { BIN, ensureBuilt } from "../support/build.js"
import { serverEnv, tempHome } from "../support/mcpClient.js"

/** Runs `session-bridge mcp` with raw JSON-RPC lines on stdin, closes stdin, and collects what came out. */
const runRaw = (
  home: string,
  lines: ReadonlyArray<unknown>,
  options: { keepOpenUntilReplies?: number; env?: Record<string, string> } = {}
) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "mcp"], {
      env: serverEnv({ home, ...(options.env ? { env: options.env } : {}) }),
      cwd: fs.existsSync(home) ? home : path.dirname(home),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    const wanted = options.keepOpenUntilReplies ?? 0
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8")
      if (wanted > 0 && stdout.split("\n").filter((l) => l.includes('"id"')).length >= wanted) child.stdin.end()
    })
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.write(lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n")
    if (wanted === 0) child.stdin.end()
  })

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "claude-code", version: "2.1.197" } }
}
const initialized = { jsonrpc: "2.0", method: "notifications/initialized" }

describe("session-bridge mcp as a process", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("exits 0 when stdin closes right after initialize", async () => {
    const home = tempHome()
    const r = await runRaw(home, [initialize, initialized], { keepOpenUntilReplies: 1 })
    assert.strictEqual(r.code, 0, r.stderr)
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("answers tools/list with the list the tool Schemas give, byte for byte, without touching the home", async () => {
    // The build holds tools/list as a literal computed from the Schemas (scripts/build.mjs); it must not drift.
    const home = path.join(tempHome(), "not-yet")
    const r = await runRaw(home, [initialize, initialized, { jsonrpc: "2.0", id: 2, method: "tools/list" }], {
      keepOpenUntilReplies: 2
    })
    assert.strictEqual(r.code, 0, r.stderr)
    const line = r.stdout.split("\n").find((l) => l.includes('"id":2'))
    assert.strictEqual(line, JSON.stringify({ result: { tools: listedTools() }, jsonrpc: "2.0", id: 2 }))
    assert.isFalse(fs.existsSync(home))
    fs.rmSync(path.dirname(home), { recursive: true, force: true })
  })

  it("exits 130 at once on SIGTERM, before any call and while a call waits", async () => {
    const home = tempHome()
    const stopped = (lines: ReadonlyArray<unknown>, after: string) =>
      new Promise<{ code: number | null; ms: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, "mcp"], {
          env: serverEnv({ home }),
          cwd: home,
          stdio: ["pipe", "pipe", "ignore"]
        })
        let stdout = ""
        let killedAt = 0
        child.stdout.on("data", (c: Buffer) => {
          stdout += c.toString("utf8")
          if (killedAt === 0 && stdout.includes(after)) {
            killedAt = performance.now()
            child.kill("SIGTERM")
          }
        })
        child.on("error", reject)
        child.on("close", (code) => resolve({ code, ms: performance.now() - killedAt }))
        child.stdin.write(lines.map((l) => JSON.stringify(l)).join("\n") + "\n")
      })
    const idle = await stopped([initialize], '"id":1')
    assert.strictEqual(idle.code, 130)
    const call = (id: number, name: string, args: unknown) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name, arguments: args }
    })
    const waiting = await stopped(
      [initialize, initialized, call(2, "bridge_whoami", {}), call(3, "bridge_wait_for_message", { timeoutSec: 60 })],
      '"id":2'
    )
    assert.strictEqual(waiting.code, 130)
    assert.isBelow(waiting.ms, 5_000)
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("writes nothing but JSON-RPC to stdout, even for garbage input and failing calls", async () => {
    const home = tempHome()
    const r = await runRaw(
      home,
      [
        initialize,
        initialized,
        "this is not json",
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "bridge_send_message", arguments: { to: 42 } } },
        { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "no_such_tool", arguments: {} } },
        { jsonrpc: "2.0", id: 5, method: "no/such/method" }
      ],
      { keepOpenUntilReplies: 6 }
    )
    assert.strictEqual(r.code, 0, r.stderr)
    const lines = r.stdout.split("\n").filter((l) => l.length > 0)
    assert.isAtLeast(lines.length, 6)
    for (const line of lines) {
      const message = JSON.parse(line)
      assert.strictEqual(message.jsonrpc, "2.0", line)
    }
    const byId = new Map(lines.map((l) => JSON.parse(l)).map((m) => [m.id, m]))
    assert.isArray(byId.get(2).result.tools)
    assert.strictEqual(byId.get(3).result.isError, true)
    assert.strictEqual(JSON.parse(byId.get(3).result.content[0].text).code, "INVALID_ARGUMENT")
    assert.strictEqual(byId.get(4).error.code, -32602)
    assert.strictEqual(byId.get(5).error.code, -32601)
    assert.strictEqual(byId.get(null).error.code, -32700)
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("answers bad lines as JSON-RPC 2.0 says: -32700 unparsable, -32600 not a request, -32602 invalid params", async () => {
    const home = tempHome()
    const call = (id: number, params: unknown) => ({ jsonrpc: "2.0", id, method: "tools/call", params })
    const r = await runRaw(
      home,
      [
        initialize,
        initialized,
        '{"jsonrpc":"2.0","id":2,"method":"tools/list"',
        "not json at all",
        '{"hello":1}',
        "[1,2]",
        '{"jsonrpc":"2.0","id":6,"method":7}',
        '{"jsonrpc":"1.0","id":7,"method":"ping"}',
        call(8, { arguments: {} }),
        call(9, { name: "bridge_whoami", arguments: "x" }),
        call(10, { name: "no_such_tool", arguments: {} }),
        call(11, { name: "bridge_send_message", arguments: { to: 42 } }),
        { jsonrpc: "2.0", id: 12, method: "initialize", params: { capabilities: {} } },
        { jsonrpc: "2.0", id: 13, method: "tools/list", params: { cursor: 5 } },
        { jsonrpc: "2.0", id: 14, method: "ping" }
      ],
      { keepOpenUntilReplies: 14 }
    )
    assert.strictEqual(r.code, 0, r.stderr)
    const replies = r.stdout
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l))
    const codes = (id: unknown) => replies.filter((m) => m.id === id).map((m) => m.error?.code)
    assert.deepStrictEqual(codes(null), [-32700, -32700, -32600, -32600])
    for (const id of [6, 7]) assert.deepStrictEqual(codes(id), [-32600], `id ${id}`)
    for (const id of [8, 9, 10, 12, 13]) assert.deepStrictEqual(codes(id), [-32602], `id ${id}`)
    const tool = replies.find((m) => m.id === 11)
    assert.isTrue(tool.result.isError)
    assert.strictEqual(JSON.parse(tool.result.content[0].text).code, "INVALID_ARGUMENT")
    assert.deepStrictEqual(replies.find((m) => m.id === 14)?.result, {})
    assert.include(replies.find((m) => m.id === 10).error.message, "no_such_tool")
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("answers every call piped in before stdin closed, then exits 0", async () => {
    const home = tempHome()
    const r = await runRaw(home, [
      initialize,
      initialized,
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "bridge_whoami", arguments: {} } },
      { jsonrpc: "2.0", id: 3, method: "tools/list" }
    ])
    assert.strictEqual(r.code, 0, r.stderr)
    const replies = r.stdout
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l))
    const whoami = replies.find((m) => m.id === 2)
    assert.isDefined(whoami, r.stdout)
    assert.notStrictEqual(whoami.result.isError, true)
    assert.isDefined(replies.find((m) => m.id === 3))
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("answers a message too large to read with an error for its id, and keeps serving", async () => {
    const home = tempHome()
    const huge = "x".repeat(2 * 1024 * 1024)
    const r = await runRaw(
      home,
      [
        initialize,
        initialized,
        {
          method: "tools/call",
          params: { name: "bridge_post_artifact", arguments: { text: huge } },
          jsonrpc: "2.0",
          id: 2
        },
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "bridge_whoami", arguments: {} } }
      ],
      { keepOpenUntilReplies: 3, env: { SESSION_BRIDGE_MAX_ARTIFACT_BYTES: "1000" } }
    )
    assert.strictEqual(r.code, 0, r.stderr)
    const replies = new Map(
      r.stdout
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l))
        .map((m) => [m.id, m])
    )
    assert.strictEqual(JSON.parse(replies.get(2).result.content[0].text).code, "ARTIFACT_TOO_LARGE")
    assert.notStrictEqual(replies.get(3).result.isError, true)
    fs.rmSync(home, { recursive: true, force: true })
  })

  it("does not create the home before the first tool call", async () => {
    const parent = tempHome()
    const home = path.join(parent, "not-yet")
    const r = await runRaw(home, [initialize, initialized, { jsonrpc: "2.0", id: 2, method: "tools/list" }], {
      keepOpenUntilReplies: 2
    })
    assert.strictEqual(r.code, 0, r.stderr)
    assert.isFalse(fs.existsSync(home))
    const first = await runRaw(
      home,
      [
        initialize,
        initialized,
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "bridge_whoami", arguments: {} } }
      ],
      { keepOpenUntilReplies: 2 }
    )
    assert.strictEqual(first.code, 0, first.stderr)
    const whoami = JSON.parse(first.stdout.split("\n").find((l) => l.includes('"id":2'))!)
    assert.notStrictEqual(whoami.result.isError, true, first.stdout)
    assert.strictEqual(fs.statSync(home).mode & 0o777, 0o700, "the home is created 0700 at the first call")
    fs.rmSync(parent, { recursive: true, force: true })
  })
})
