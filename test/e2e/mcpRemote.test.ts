import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { BIN, ensureBuilt } from "../support/build.js"
import { type McpHandle, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/*
 * The session's side of the cloud layer through a real `session-bridge mcp` process and the SDK client (which
 * checks every result against the tool's output schema): a home with a cloud account and one accepted contact
 * (planted as the cloud commands would leave it), a remote send queued into the outbox, contacts' sessions from a
 * planted presence cache. No relay and no daemon: the send is done once it is queued.
 */

const KEY = Buffer.alloc(32, 7).toString("base64url")

const writePrivate = (home: string, rel: string, json: unknown) => {
  const file = path.join(home, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n", { mode: 0o600 })
}

const plantCloud = (home: string, now: number) => {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 })
  writePrivate(home, "cloud/credentials.json", {
    v: 1,
    relayUrl: "http://127.0.0.1:9",
    relayId: "relay-test",
    handle: "bob",
    accountId: "acct_bob",
    token: "t".repeat(43),
    registeredAt: now
  })
  const contact = (handle: string, state: string) => ({
    handle,
    accountId: `acct_${handle}`,
    ikPub: KEY,
    state,
    pinnedAt: now
  })
  writePrivate(home, "cloud/contacts.json", {
    v: 1,
    contacts: [contact("alice", "active"), contact("carol", "revoked")]
  })
  writePrivate(home, "cloud/presence.json", {
    v: 1,
    fetchedAt: now,
    contacts: [
      {
        handle: "alice",
        accountId: "acct_alice",
        publishedAt: now,
        sessions: [{ label: "api", cli: "codex", cwd: "/srv/api", since: now - 60_000, lastSeen: now - 1_000 }]
      },
      {
        handle: "erin",
        accountId: "acct_erin",
        publishedAt: now - 10 * 60_000,
        sessions: [{ label: "gone", since: now - 20 * 60_000, lastSeen: now - 10 * 60_000 }]
      }
    ]
  })
}

/** Every chunk a chunk imports statically, itself included. */
const staticClosure = (file: string, seen = new Set<string>()): Set<string> => {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g))
    staticClosure(path.join(path.dirname(file), m[1]!), seen)
  return seen
}

let home: string
let bob: McpHandle

describe("a session's messages to contacts, through a real MCP server", () => {
  beforeAll(async () => {
    await ensureBuilt()
    home = path.join(tempHome(), "home")
    plantCloud(home, Date.now())
    bob = await spawnMcp({ home, label: "backend", sessionId: testSessionId() })
  }, 180_000)

  afterAll(async () => {
    await bob?.close()
    if (home) fs.rmSync(path.dirname(home), { recursive: true, force: true })
  })

  it("still lists seventeen tools, and the send tool takes a contact", async () => {
    const { tools } = await bob.client.listTools()
    assert.strictEqual(tools.length, 17)
    const send = tools.find((t) => t.name === "bridge_send_message")!
    const to = (send.inputSchema.properties as Record<string, { properties?: Record<string, unknown> }>)["to"]
    assert.property(to?.properties ?? {}, "contact")
  })

  it("queues a send to a contact in the outbox, and shows its delivery state to the sender", async () => {
    const posted = await bob.ok("bridge_post_artifact", { text: "hello from bob", name: "note.txt" })
    const sent = await bob.ok("bridge_send_message", {
      to: { contact: "alice", label: "api" },
      subject: "schema",
      body: "is id a ULID?",
      artifacts: [posted.sha256]
    })
    assert.strictEqual(sent.delivery.state, "queued")
    assert.deepStrictEqual(
      sent.recipients.map((r: { label: string; contact: string }) => [r.label, r.contact]),
      [["api", "alice"]]
    )
    const file = path.join(home, "cloud", "outbox", `${sent.messageId}.json`)
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    const entry = JSON.parse(fs.readFileSync(file, "utf8"))
    assert.deepStrictEqual(
      [entry.id, entry.contact, entry.to, entry.subject, entry.body, entry.state, entry.fromSession.label],
      [sent.messageId, "alice", { label: "api" }, "schema", "is id a ULID?", "queued", "backend"]
    )
    assert.deepStrictEqual(entry.artifacts, [
      { sha256: posted.sha256, size: 14, name: "note.txt", mime: "text/plain; charset=utf-8" }
    ])
    const read = await bob.ok("bridge_read_message", { id: sent.messageId })
    assert.strictEqual(read.delivery.state, "queued")
    assert.strictEqual(
      await bob.errorCode("bridge_send_message", { to: { contact: "carol" }, subject: "x" }),
      "CONTACT_REVOKED"
    )
    assert.strictEqual(
      await bob.errorCode("bridge_send_message", { to: { contact: "zed" }, subject: "x" }),
      "NOT_A_CONTACT"
    )
  })

  it("lists a contact's live session from the presence cache, not a stale one", async () => {
    const { sessions } = await bob.ok("bridge_list_sessions")
    const remote = sessions.filter((s: { origin?: string }) => s.origin === "remote")
    assert.deepStrictEqual(
      remote.map((s: { contact: string; label: string; provider: string; cwd: string }) => [
        s.contact,
        s.label,
        s.provider,
        s.cwd
      ]),
      [["alice", "api", "codex", "/srv/api"]]
    )
    assert.isTrue(sessions.some((s: { label: string; origin?: string }) => s.label === "backend" && !s.origin))
  })

  it("the MCP server's own code holds no cloud state, sealing or relay client: they load when first needed", async () => {
    const bin = fs.readFileSync(BIN, "utf8")
    const entries = [...bin.matchAll(/import\("(\.\/chunks\/[^"]+)"\)/g)].map((m) =>
      path.join(path.dirname(BIN), m[1]!)
    )
    const texts = (file: string) => [...staticClosure(file)].map((f) => fs.readFileSync(f, "utf8")).join("\n")
    const mcp = entries.filter((e) => texts(e).includes('"tools/call"') && !texts(e).includes("--wizard"))
    assert.strictEqual(mcp.length, 1, "one entry chunk serves `mcp`")
    // The entry answers initialize and tools/list; the tool calls' code is one bundle it compiles at the first call
    // (dist/mcp/tools.cjs, src/platform/ToolsBoot.ts), named by what starts the entry (bin.js here, the launcher
    // through src/platform/McpBoot.ts), and it imports no other module then. The same entry as the launcher starts
    // it, dist/mcp/server.cjs, requires no file of its own either.
    assert.include(bin, '"./mcp/tools.cjs"')
    assert.deepStrictEqual([...fs.readFileSync(mcp[0]!, "utf8").matchAll(/import\("(\.\.?\/[^"]+)"\)/g)], [])
    const serverBundle = fs.readFileSync(path.join(path.dirname(BIN), "mcp", "server.cjs"), "utf8")
    assert.include(serverBundle, '"tools/call"')
    assert.deepStrictEqual([...serverBundle.matchAll(/require\("(\.\.?\/[^"]+)"\)/g)], [])
    for (const marker of ['"sb1 msg"', '"sb1-sig"', "/v1/messages", "/v1/blobs"]) {
      assert.notInclude(texts(mcp[0]!), marker)
      assert.notInclude(serverBundle, marker)
    }
    // The calls' bundle holds no relay client (the daemon talks to the relay), and its sealing code is in modules
    // initialized when first imported: V8's coverage of a server that ran the common calls shows that no function
    // holding it ever ran.
    const tools = path.join(path.dirname(BIN), "mcp", "tools.cjs")
    const source = fs.readFileSync(tools, "latin1")
    for (const marker of ["/v1/messages", "/v1/blobs"]) assert.notInclude(source, marker)
    const markers = ['"sb1 msg"', '"sb1-sig"'].map((m) => ({ m, at: source.indexOf(m) }))
    for (const { m, at } of markers) assert.isAbove(at, 0, `${m} is in the calls' bundle`)
    const home = tempHome()
    const coverage = path.join(home, "coverage")
    const sessionId = testSessionId()
    const server = await spawnMcp({ home, sessionId, env: { NODE_V8_COVERAGE: coverage } })
    await server.ok("bridge_whoami")
    await server.ok("bridge_list_sessions")
    await server.ok("bridge_send_message", { to: { sessionId }, subject: "local", body: "x" })
    await server.ok("bridge_list_inbox")
    const pid = server.pid
    await server.close()
    for (let i = 0; i < 200 && fs.readdirSync(coverage, { withFileTypes: true }).length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    for (let i = 0; i < 200 && pid !== null && fs.existsSync(`/proc/${pid}`); i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    type Range = { startOffset: number; endOffset: number; count: number }
    const report = fs
      .readdirSync(coverage)
      .flatMap(
        (f) =>
          (
            JSON.parse(fs.readFileSync(path.join(coverage, f), "utf8")) as {
              result: Array<{ url: string; functions: Array<{ ranges: Array<Range> }> }>
            }
          ).result
      )
      .find((r) => r.url === tools || r.url === `file://${tools}`)
    assert.isDefined(report, "coverage of the calls' bundle")
    const ranges = report!.functions.flatMap((f) => f.ranges)
    for (const { m, at } of markers) {
      // The innermost range holding the marker: its count is how often that code ran.
      const inner = ranges
        .filter((r) => r.startOffset <= at && at < r.endOffset)
        .sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset))[0]
      assert.isDefined(inner, m)
      assert.strictEqual(inner!.count, 0, `the code holding ${m} never ran`)
    }
    fs.rmSync(home, { recursive: true, force: true })
    const hook = fs.readFileSync(path.join(path.dirname(BIN), "hook.cjs"), "utf8")
    for (const marker of ["cloud/outbox", "cloud/presence.json", '"sb1 msg"']) assert.notInclude(hook, marker)
  })
})
