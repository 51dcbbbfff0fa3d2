import { assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ensureBuilt, LAUNCHER, REPO } from "../support/build.js"
import { spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/*
 * `session-bridge mcp` through the installed executable (the launcher, what `init` writes into host configs): the
 * server runs from its CommonJS bundle, dist/mcp/server.cjs, and never loads Node's ES module loader nor what that
 * loader reads files with (docs/adr/0066-mcp-server-started-as-commonjs.md). Without that bundle it still serves,
 * through the ES module entry.
 */

/** Node modules that loading any file as an ES module brings in: the loader's file reading, node:fs/promises, readline. */
const ESM_ONLY = [
  "internal/modules/esm/load",
  "internal/modules/esm/translators",
  "internal/fs/promises",
  "internal/readline/interface"
]

/** Serves through `launcher` with a preload that writes the built-ins the process loaded when it exits. */
const serve = async (launcher: string, home: string) => {
  const preload = path.join(home, "loaded.cjs")
  const log = path.join(home, "loaded.log")
  fs.writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join("\\n")))`
  )
  const sessionId = testSessionId()
  const mcp = await spawnMcp({
    home: path.join(home, "bridge"),
    cwd: home,
    sessionId,
    label: "launched",
    entry: launcher,
    nodeArgs: ["--require", preload]
  })
  const tools = await mcp.client.listTools()
  assert.strictEqual(tools.tools.length, 17)
  const me = await mcp.ok("bridge_whoami")
  assert.strictEqual(me.sessionId, sessionId)
  await mcp.ok("bridge_send_message", { to: { sessionId }, subject: "through the launcher", body: "hello" })
  const inbox = await mcp.ok("bridge_list_inbox")
  assert.deepStrictEqual(
    inbox.entries.map((m: { subject: string }) => m.subject),
    ["through the launcher"]
  )
  await mcp.close()
  for (let i = 0; i < 100 && !fs.existsSync(log); i++) await new Promise((r) => setTimeout(r, 20))
  return fs
    .readFileSync(log, "utf8")
    .split("\n")
    .filter((m) => m.startsWith("NativeModule "))
    .map((m) => m.slice("NativeModule ".length))
}

describe("session-bridge mcp through the launcher", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("serves from the CommonJS bundle without loading the ES module loader", async () => {
    const home = tempHome()
    try {
      const builtins = await serve(LAUNCHER, home)
      assert.includeMembers(builtins, ["fs", "vm"], "the list holds the built-ins the process loaded")
      assert.deepStrictEqual(
        builtins.filter((m) => ESM_ONLY.includes(m)),
        [],
        builtins.join(", ")
      )
    } finally {
      fs.rmSync(home, { recursive: true, force: true })
    }
  }, 60_000)

  it("without the server's CommonJS bundle, serves through the ES module entry", async () => {
    const home = tempHome()
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "sb-dist-"))
    try {
      fs.cpSync(path.join(REPO, "dist"), copy, { recursive: true })
      fs.rmSync(path.join(copy, "mcp", "server.cjs"))
      const builtins = await serve(path.join(copy, "session-bridge.cjs"), home)
      assert.include(builtins, "internal/modules/esm/load", "the ES module entry served")
    } finally {
      fs.rmSync(home, { recursive: true, force: true })
      fs.rmSync(copy, { recursive: true, force: true })
    }
  }, 60_000)
})
