import { assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { BIN, ensureBuilt, REPO } from "../support/build.js"
import { serverEnv, tempHome, testSessionId } from "../support/mcpClient.js"

/*
 * What the built `session-bridge mcp` loads, request by request (docs/adr/0037-mcp-server-loads-per-request.md,
 * docs/adr/0048-mcp-server-resident-memory.md): every module it resolves is logged by a module resolve hook, and
 * the Node built-ins it loaded by the time it exits.
 */

const DIST = path.join(REPO, "dist")

/** A resolve hook that appends every resolved URL to $SB_LOAD_LOG, and the preload that registers it. */
const writeHooks = (dir: string): string => {
  fs.writeFileSync(
    path.join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs"
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  appendFileSync(process.env.SB_LOAD_LOG, resolved.url + "\\n")
  return resolved
}`
  )
  const preload = path.join(dir, "register.mjs")
  fs.writeFileSync(
    preload,
    `import { register } from "node:module"
const { writeFileSync } = process.getBuiltinModule("node:fs")
register(${JSON.stringify(pathToFileURL(path.join(dir, "hooks.mjs")).href)})
process.on("exit", () => writeFileSync(process.env.SB_LOAD_LOG + ".builtins", process.moduleLoadList.join("\\n")))`
  )
  return preload
}

/** The files under dist/ resolved so far (paths relative to dist/), each once. */
const loadedFiles = (log: string): ReadonlyArray<string> => [
  ...new Set(
    fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((url) => url.startsWith("file:"))
      .map((url) => path.relative(DIST, fileURLToPath(url)))
  )
]

const bytesOf = (files: ReadonlyArray<string>): number =>
  files.reduce((sum, f) => sum + fs.statSync(path.join(DIST, f)).size, 0)

/** Code a server must never load for these requests: packages (the MCP SDK, zod, ajv, SQL drivers), the relay, the hook, the cloud's outbox and daemon, the dashboards. */
const NEVER = [
  /^\.\./,
  /node_modules/,
  /^relay\//,
  /^hook\.cjs$/,
  /(^|\/)(Outbox|RemoteState|DaemonMain|CloudDemo|Dashboard\w*)-/
]

/**
 * Node built-ins a server must not load for these requests (perf_hooks: effect's clock reads `performance` once;
 * internal/fs/streams: importing node:fs as an ES module loads them, ADR-0060).
 * worker_threads is not among them: the resolve hook this test registers runs on a worker of its own.
 */
const HEAVY_BUILTINS = [
  "perf_hooks",
  "http",
  "https",
  "http2",
  "zlib",
  "inspector",
  "sqlite",
  "child_process",
  "internal/fs/streams"
]

describe("what session-bridge mcp loads", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("initialize and tools/list load only the entry; the common tool calls load their own bundle and nothing heavy", async () => {
    const home = tempHome()
    const log = path.join(home, "loaded.log")
    fs.writeFileSync(log, "")
    const preload = writeHooks(home)
    const sessionId = testSessionId()
    const child = spawn(process.execPath, ["--import", pathToFileURL(preload).href, BIN, "mcp"], {
      env: serverEnv({
        home: path.join(home, "bridge"),
        sessionId,
        env: { SB_LOAD_LOG: log, SESSION_BRIDGE_DEBUG: "1" }
      }),
      cwd: home,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    const waiters: Array<() => void> = []
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8")
      for (const w of waiters.splice(0)) w()
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve))
    const reply = async (id: number): Promise<Record<string, unknown>> => {
      for (;;) {
        const line = stdout.split("\n").find((l) => l.includes(`"id":${id}`) && l.endsWith("}"))
        if (line !== undefined) return JSON.parse(line) as Record<string, unknown>
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    }
    const send = (message: unknown) => child.stdin.write(JSON.stringify(message) + "\n")
    const call = async (id: number, name: string, args: Record<string, unknown> = {}) => {
      send({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } })
      const r = await reply(id)
      assert.isUndefined((r["result"] as { isError?: boolean }).isError, `${name}: ${JSON.stringify(r)} ${stderr}`)
    }

    try {
      send({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } }
      })
      send({ jsonrpc: "2.0", method: "notifications/initialized" })
      send({ jsonrpc: "2.0", id: 2, method: "tools/list" })
      await reply(2)
      const atList = loadedFiles(log)
      assert.include(atList, "bin.js")
      assert.isEmpty(
        atList.filter((f) => f.startsWith("mcp/")),
        "the tool calls' bundle (effect, the services) loads at the first call"
      )
      assert.isEmpty(atList.filter((f) => NEVER.some((re) => re.test(f))))
      // The entry is about 35 KB; effect alone would be over 200 KB.
      assert.isAtMost(bytesOf(atList), 64 * 1024, atList.join(", "))

      await call(3, "bridge_whoami")
      await call(4, "bridge_list_sessions")
      await call(5, "bridge_send_message", { to: { sessionId }, subject: "loading", body: "hello" })
      await call(6, "bridge_list_inbox")
      const atCalls = loadedFiles(log)
      // The calls' bundle is one CommonJS script compiled through V8's code cache (src/platform/ToolsBoot.ts), not
      // an ES module: the module loader resolves nothing more, and none of the chunks the other commands share.
      assert.deepStrictEqual(
        atCalls.filter((f) => !atList.includes(f)),
        [],
        "the calls load their own bundle, none of the chunks the other commands share"
      )
      assert.match(stderr, /tool calls loaded; code cache: none/)
      // Today about 380 KB: effect with Schema, the bridge services, the tools, and (initialized only when first
      // imported) the cloud outbox. A bundle that grew by a whole feature (the dashboards) shows here.
      assert.isAtMost(fs.statSync(path.join(DIST, "mcp", "tools.cjs")).size, 440 * 1024)
      const bundle = fs.readFileSync(path.join(DIST, "mcp", "tools.cjs"), "latin1")
      // Markers of the CLI, the dashboards and the relay, each found in their own bundles.
      for (const never of ["--wizard", "<!doctype html>", "text/event-stream", "CREATE TABLE", "better-sqlite3"])
        assert.notInclude(bundle, never)
    } finally {
      child.stdin.end()
    }
    assert.strictEqual(await exited, 0, stderr)
    const builtins = fs
      .readFileSync(log + ".builtins", "utf8")
      .split("\n")
      .filter((m) => m.startsWith("NativeModule "))
      .map((m) => m.slice("NativeModule ".length))
    assert.includeMembers(builtins, ["fs"], "the list holds the built-ins the process loaded")
    assert.deepStrictEqual(
      builtins.filter((m) => HEAVY_BUILTINS.includes(m)),
      [],
      builtins.join(", ")
    )
    fs.rmSync(home, { recursive: true, force: true })
  }, 60_000)
})
