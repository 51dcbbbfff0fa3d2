import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BIN, ensureBuilt } from "../support/build.js"
import { mcpServers, runBin } from "../support/cliRun.js"
import { serverEnv, tempHome } from "../support/mcpClient.js"

const waitFor = async (what: string, check: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const user = os.userInfo().username

describe("session-bridge CLI as a process", () => {
  const home = tempHome("sb-cli-")
  const servers = mcpServers(home)
  const children: Array<ChildProcess> = []

  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL")
    await servers.closeAll()
    fs.rmSync(home, { recursive: true, force: true })
  })

  const mcp = servers.open

  it("send-message from the CLI reaches an MCP server's inbox, as the user or --as=<label>", async () => {
    const bob = await mcp("bob")
    const alice = await mcp("alice")
    const plain = await runBin(home, ["send-message", "bob", "from the terminal", "--body", "ping"])
    assert.strictEqual(plain.code, 0, plain.stderr)
    const bobShort = (await bob.ok("bridge_whoami")).sessionId.slice(0, 12)
    assert.match(plain.stdout, new RegExp(`^Sent [0-9A-Z]{26} to bob \\([a-z-]+, /[^,]*, ${bobShort}\\) as `))
    const asAlice = await runBin(home, ["send-message", "--as=alice", "bob", "subject", "--body", "ping"])
    assert.strictEqual(asAlice.code, 0, asAlice.stderr)
    const piped = await runBin(home, ["send-message", "bob", "piped", "--body-file", "-"], {
      input: "body from stdin\n"
    })
    assert.strictEqual(piped.code, 0, piped.stderr)

    const inbox = await bob.ok("bridge_list_inbox", {})
    const bySubject = new Map<string, { from: { label: string; sessionId: string }; id: string }>(
      inbox.entries.map((e: { subject: string }) => [e.subject, e])
    )
    assert.strictEqual(bySubject.get("from the terminal")?.from.label, user)
    const aliceId = (await alice.ok("bridge_whoami")).sessionId
    assert.strictEqual(bySubject.get("subject")?.from.sessionId, aliceId)
    const read = await bob.ok("bridge_read_message", { id: bySubject.get("piped")?.id })
    assert.strictEqual(read.body ?? read.envelope?.body, "body from stdin\n")
  }, 60_000)

  it("tail-inbox --follow prints a message sent from another process, then exits 0 on SIGINT", async () => {
    const alice = servers.handles[1] ?? (await mcp("alice"))
    const child = spawn(process.execPath, [BIN, "tail-inbox", "--follow"], {
      env: serverEnv({ home }),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal }))
    )
    await waitFor("the follower to start watching", () => stderr.includes("Watching the inbox"))
    await alice.ok("bridge_send_message", { to: { label: user }, subject: "while you watch", body: "live line" })
    await waitFor("the message on stdout", () => stdout.includes("while you watch"))
    assert.match(stdout, /from alice .*\n {3}while you watch\n {3}│ live line/)
    child.kill("SIGINT")
    const { code, signal } = await exited
    assert.strictEqual(signal, null)
    assert.strictEqual(code, 0, stderr)
    assert.notMatch(stderr, /at .*\.js:\d+/)
  }, 60_000)

  it("exit codes: 1 with the code for a domain error, 2 for usage; stdout stays clean", async () => {
    const missing = await runBin(home, ["send-message", "nobody-here", "hi"])
    assert.strictEqual(missing.code, 1)
    assert.strictEqual(missing.stdout, "")
    assert.match(missing.stderr, /^error RECIPIENT_NOT_FOUND: no session matches label "nobody-here"\nhint: .+\n$/)
    const unknown = await runBin(home, ["frobnicate"])
    assert.strictEqual(unknown.code, 2)
    assert.strictEqual(unknown.stdout, "")
    const purge = await runBin(home, ["purge"])
    assert.strictEqual(purge.code, 2)
    assert.match(purge.stderr, /^error INVALID_ARGUMENT: purge needs confirmation/)
    assert.isTrue(fs.existsSync(path.join(home, "sessions")))
    const verbose = await runBin(home, ["send-message", "nobody-here", "hi", "--verbose"])
    assert.strictEqual(verbose.code, 1)
    assert.match(verbose.stderr, /^error RECIPIENT_NOT_FOUND: /)
  }, 60_000)

  it("--help is the grouped plain-text help; list-sessions --json is JSON", async () => {
    const help = await runBin(home, ["--help"])
    assert.strictEqual(help.code, 0)
    assert.match(help.stdout, /\nMessaging\n {2}send-message/)
    assert.notInclude(help.stdout, "\u001b[")
    const hookHelp = await runBin(home, ["hook", "--help"])
    assert.strictEqual(hookHelp.code, 0, hookHelp.stderr)
    assert.match(hookHelp.stdout, /--provider/)
    const list = await runBin(home, ["list-sessions", "--json"])
    assert.strictEqual(list.code, 0, list.stderr)
    const labels = JSON.parse(list.stdout)
      .map((s: { label: string }) => s.label)
      .sort()
    assert.includeMembers(labels, ["alice", "bob", user])
  }, 60_000)
})
