import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { REPO } from "../support/build.js"

/**
 * The package as a user gets it: `npm pack` from a copy of the checkout's sources (as a clean clone has them: no
 * dist/), installed from the tarball into a temporary global prefix without dev, optional or peer dependencies and
 * without the network, then run from the installed bin with no node_modules anywhere above it.
 */
const MAX_INSTALLED_BYTES = 5 * 1024 * 1024
/** What a clean clone holds that packing needs; dist/ is absent, so `prepack` must build it. */
const SOURCES = ["package.json", "package-lock.json", "README.md", "LICENSE", "docs", "src", "scripts", "tsconfig.json"]

let work = ""
let prefix = ""
let installed = ""
let packed: { filename: string; files: Array<{ path: string }> } = { filename: "", files: [] }
const version = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version as string

const npm = (args: ReadonlyArray<string>, cwd: string) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_update_notifier: "false" },
    timeout: 120_000
  })

/** Apparent size of every file under `dir` (what the install puts on disk, independent of block size). */
const bytesUnder = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce(
      (sum, e) =>
        sum +
        (e.isDirectory()
          ? bytesUnder(path.join(dir, e.name))
          : e.isFile()
            ? fs.statSync(path.join(dir, e.name)).size
            : 0),
      0
    )

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "sb-packed-"))
  const clone = path.join(work, "clone")
  for (const entry of SOURCES) fs.cpSync(path.join(REPO, entry), path.join(clone, entry), { recursive: true })
  fs.symlinkSync(fs.realpathSync(path.join(REPO, "node_modules")), path.join(clone, "node_modules"))
  packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], clone))[0]
  prefix = path.join(work, "prefix")
  npm(
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--omit=dev",
      "--omit=optional",
      "--omit=peer",
      "--offline",
      path.join(work, packed.filename)
    ],
    work
  )
  installed = path.join(prefix, "lib", "node_modules", "amc-session-bridge")
}, 120_000)

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the installed `session-bridge` (the bin link npm made) on `home`, with only node's folder on PATH. */
const run = (home: string, args: ReadonlyArray<string>, stdin?: string): Run => {
  const r = spawnSync(path.join(prefix, "bin", "session-bridge"), args, {
    cwd: home,
    input: stdin ?? "",
    encoding: "utf8",
    // The demo spawns two MCP servers; on a busy machine it can take tens of seconds.
    timeout: 80_000,
    env: {
      PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: path.join(home, "user"),
      SESSION_BRIDGE_HOME: home,
      SESSION_BRIDGE_HOOK_BUDGET_MS: "15000"
    }
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const tempHome = () => {
  const home = fs.mkdtempSync(path.join(work, "home-"))
  fs.mkdirSync(path.join(home, "user"))
  return home
}

describe("packed install", () => {
  it("ships dist/ built by prepack, the docs, README and LICENSE, and nothing else", () => {
    const files = packed.files.map((f) => f.path)
    for (const f of ["dist/session-bridge.cjs", "dist/bin.js", "dist/hook.cjs", "dist/legacy.js", "README.md"])
      assert.include(files, f)
    assert.include(files, "LICENSE")
    assert.deepStrictEqual(
      files.filter((f) => !/^(dist|docs)\//.test(f) && !["package.json", "README.md", "LICENSE"].includes(f)),
      []
    )
  })

  it(`installs nothing but itself, in at most ${MAX_INSTALLED_BYTES / 1024 / 1024} MB`, () => {
    assert.deepStrictEqual(fs.readdirSync(path.join(prefix, "lib", "node_modules")), ["amc-session-bridge"])
    assert.isFalse(fs.existsSync(path.join(installed, "node_modules")), "no dependency was installed")
    // Nothing above the global node_modules could lend it a package either.
    for (let dir = prefix; dir !== path.dirname(dir); dir = path.dirname(dir))
      assert.isFalse(fs.existsSync(path.join(dir, "node_modules")), dir)
    const bytes = bytesUnder(installed)
    assert.isAtMost(bytes, MAX_INSTALLED_BYTES, `${bytes} bytes installed`)
    assert.isAtLeast(bytes, 500_000, "the bundles are there")
  })

  it("runs `version` from the installed bin", () => {
    const r = run(tempHome(), ["version"])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, `session-bridge ${version}`)
  })

  it("refuses `relay` with RELAY_DRIVER_MISSING and the install command, not a module-loader trace", () => {
    const r = run(tempHome(), ["relay", "--port", "0"])
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /^error RELAY_DRIVER_MISSING: /)
    assert.include(r.stderr, "better-sqlite3@12.11.1")
    assert.notInclude(r.stderr, "ERR_MODULE_NOT_FOUND")
  })

  it("refuses `demo --cloud` with RELAY_DRIVER_MISSING before it starts anything", () => {
    const r = run(tempHome(), ["demo", "--cloud"])
    assert.strictEqual(r.code, 1)
    assert.match(r.stderr, /^error RELAY_DRIVER_MISSING: demo --cloud runs a relay/)
    assert.include(r.stderr, "better-sqlite3@12.11.1")
    assert.notInclude(r.stdout, "Temporary directory")
  })

  it("runs the demo: two MCP servers exchange a message and an artifact", { timeout: 90_000 }, () => {
    const r = run(tempHome(), ["demo"])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.include(r.stdout, "Demo complete")
  })

  it("runs the hook: a session starts, and its next prompt shows a message sent from the CLI", () => {
    const home = tempHome()
    const payload = (event: string) =>
      JSON.stringify({ session_id: "host-1", cwd: home, hook_event_name: event, transcript_path: "/x.jsonl" })
    const start = run(home, ["hook", "SessionStart", "--provider", "claude-code"], payload("SessionStart"))
    assert.deepStrictEqual([start.code, start.stderr], [0, ""])
    const sent = run(home, ["send-message", path.basename(home), "packed hello", "--body", "from the tarball"])
    assert.strictEqual(sent.code, 0, sent.stderr)
    const prompt = run(home, ["hook", "UserPromptSubmit", "--provider", "claude-code"], payload("UserPromptSubmit"))
    assert.deepStrictEqual([prompt.code, prompt.stderr], [0, ""])
    const context = JSON.parse(prompt.stdout).hookSpecificOutput.additionalContext as string
    assert.include(context, "subject: packed hello")
    assert.include(context, "| from the tarball")
  })

  it("serves MCP from the installed bin: initialize, then all seventeen tools", async () => {
    const home = tempHome()
    const child = spawn(path.join(prefix, "bin", "session-bridge"), ["mcp"], {
      cwd: home,
      env: {
        PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: path.join(home, "user"),
        SESSION_BRIDGE_HOME: home
      },
      stdio: ["pipe", "pipe", "pipe"]
    })
    const replies = new Map<number, { result?: { tools?: Array<{ name: string }> } }>()
    let buffer = ""
    const listed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no tools/list reply; got ${buffer}`)), 20_000)
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8")
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl)
          buffer = buffer.slice(nl + 1)
          if (line.trim() === "") continue
          const message = JSON.parse(line)
          replies.set(message.id, message)
          if (message.id === 2) {
            clearTimeout(timer)
            resolve()
          }
        }
      })
    })
    const send = (message: object) => child.stdin.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n")
    send({
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "packed-test", version: "1" } }
    })
    send({ method: "notifications/initialized" })
    send({ id: 2, method: "tools/list", params: {} })
    try {
      await listed
    } finally {
      child.kill()
    }
    const names = (replies.get(2)?.result?.tools ?? []).map((t) => t.name)
    assert.strictEqual(names.length, 17, names.join(", "))
    assert.isTrue(
      names.every((n) => n.startsWith("bridge_")),
      names.join(", ")
    )
  })
})
