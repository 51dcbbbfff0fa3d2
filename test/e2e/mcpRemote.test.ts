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

  it("the MCP server's own code holds no cloud state, sealing or relay client: they load when first needed", () => {
    const bin = fs.readFileSync(BIN, "utf8")
    const entries = [...bin.matchAll(/import\("(\.\/chunks\/[^"]+)"\)/g)].map((m) =>
      path.join(path.dirname(BIN), m[1]!)
    )
    const texts = (file: string) => [...staticClosure(file)].map((f) => fs.readFileSync(f, "utf8")).join("\n")
    const mcp = entries.filter((e) => texts(e).includes('"tools/call"') && !texts(e).includes("--wizard"))
    assert.strictEqual(mcp.length, 1, "one entry chunk serves `mcp`")
    // The entry answers initialize and tools/list; the tool calls' code is the one bundle it imports at the first
    // call (dist/mcp/tools.js, built on its own: docs/adr/0048-mcp-server-resident-memory.md).
    const calls = [...fs.readFileSync(mcp[0]!, "utf8").matchAll(/import\("(\.\.?\/[^"]+)"\)/g)].map((m) =>
      path.join(path.dirname(mcp[0]!), m[1]!)
    )
    assert.deepStrictEqual(calls, [path.join(path.dirname(BIN), "mcp", "tools.js")], "one bundle holds the tool calls")
    // No sealing, relay client or state readers: they load with the first call that needs them. (The cloud folder
    // names are plain values inspect and gc know, src/cloud/CloudLayout.ts, so they may be here.)
    for (const loaded of [texts(mcp[0]!), texts(calls[0]!)])
      for (const marker of ['"sb1 msg"', '"sb1-sig"', "/v1/messages", "/v1/blobs"]) assert.notInclude(loaded, marker)
    const all = fs
      .readdirSync(path.join(path.dirname(BIN), "chunks"))
      .map((n) => fs.readFileSync(path.join(path.dirname(BIN), "chunks", n), "utf8"))
      .join("\n")
    assert.include(all, '"sb1 msg"', "the sealing code is in the bundle, in a chunk loaded on demand")
    const onDemand = fs
      .readdirSync(path.join(path.dirname(BIN), "mcp", "chunks"))
      .filter((n) => ![...staticClosure(calls[0]!)].some((f) => path.basename(f) === n))
      .map((n) => fs.readFileSync(path.join(path.dirname(BIN), "mcp", "chunks", n), "utf8"))
      .join("\n")
    assert.include(onDemand, '"sb1 msg"', "the tool calls' sealing code is in a chunk of their own, loaded on demand")
    const hook = fs.readFileSync(path.join(path.dirname(BIN), "hook.cjs"), "utf8")
    for (const marker of ["cloud/outbox", "cloud/presence.json", '"sb1 msg"']) assert.notInclude(hook, marker)
  })
})
