import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensureBuilt } from "../support/build.js"
import { type McpHandle, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/** Limits, bad input and identity, each giving its stable code, over real `session-bridge mcp` processes. */
let home: string
let sender: McpHandle
let sink: McpHandle
let other: McpHandle
const opened: Array<McpHandle> = []

const spawn = async (options: Parameters<typeof spawnMcp>[0]) => {
  const handle = await spawnMcp(options)
  opened.push(handle)
  return handle
}

/** Fetches an artifact piece by piece, following nextOffset, as a client of bridge_get_artifact does. */
const fetchArtifact = async (handle: McpHandle, sha256: string) => {
  const parts: Array<Buffer> = []
  let offset: number | undefined = 0
  let replies = 0
  let encoding = ""
  while (offset !== undefined) {
    const got: any = await handle.ok("bridge_get_artifact", { sha256, offset })
    encoding = got.encoding
    parts.push(Buffer.from(got.content, got.encoding === "text" ? "utf8" : "base64"))
    offset = got.nextOffset
    replies++
  }
  return { bytes: Buffer.concat(parts), replies, encoding }
}

const walk = (dir: string, visit: (p: string, st: fs.Stats) => void) => {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name)
    const st = fs.lstatSync(p)
    visit(p, st)
    if (st.isDirectory()) walk(p, visit)
  }
}

describe("limits and bad input over real processes", () => {
  beforeAll(async () => {
    await ensureBuilt()
    home = tempHome()
    // The sender enforces the caps it was started with.
    sender = await spawn({
      home,
      label: "sender",
      sessionId: testSessionId(),
      env: { SESSION_BRIDGE_MAX_BACKLOG: "3", SESSION_BRIDGE_MAX_ARTIFACT_BYTES: "1000" }
    })
    sink = await spawn({ home, label: "sink", sessionId: testSessionId() })
    other = await spawn({ home, label: "other", sessionId: testSessionId() })
    for (const who of [sender, sink, other]) await who.ok("bridge_whoami")
  }, 180_000)

  afterAll(async () => {
    await Promise.allSettled(opened.map((h) => h.close()))
    if (home) fs.rmSync(home, { recursive: true, force: true })
  })

  it("caps bodies at 64 KiB of UTF-8 for direct, broadcast and channel messages", async () => {
    await sender.ok("bridge_send_message", { to: { label: "other" }, subject: "max", body: "a".repeat(65536) })
    assert.strictEqual(
      await sender.errorCode("bridge_send_message", { to: { label: "other" }, subject: "x", body: "a".repeat(65537) }),
      "BODY_TOO_LARGE"
    )
    assert.strictEqual(
      await sender.errorCode("bridge_send_message", { to: { label: "other" }, subject: "x", body: "é".repeat(32769) }),
      "BODY_TOO_LARGE"
    )
    assert.strictEqual(
      await sender.errorCode("bridge_broadcast", { subject: "x", body: "a".repeat(65537) }),
      "BODY_TOO_LARGE"
    )
    await sender.ok("bridge_join_channel", { channel: "#limits" })
    assert.strictEqual(
      await sender.errorCode("bridge_send_message", {
        to: { channel: "#limits" },
        subject: "x",
        body: "a".repeat(65537)
      }),
      "BODY_TOO_LARGE"
    )
  })

  it("refuses a send into a full inbox with BACKLOG_FULL and drops nothing", async () => {
    const sent: Array<string> = []
    for (let i = 0; i < 3; i++)
      sent.push((await sender.ok("bridge_send_message", { to: { label: "sink" }, subject: `fill ${i}` })).messageId)
    const refused = await sender.call("bridge_send_message", { to: { label: "sink" }, subject: "one too many" })
    assert.isFalse(refused.ok)
    if (!refused.ok) {
      assert.strictEqual(refused.error.code, "BACKLOG_FULL")
      assert.include(refused.error.message, "sink")
    }
    const inbox = await sink.ok("bridge_list_inbox", { all: true })
    assert.sameMembers(
      inbox.entries.map((e: { id: string }) => e.id),
      sent
    )
    assert.notInclude(
      inbox.entries.map((e: { subject: string }) => e.subject),
      "one too many"
    )
    await sink.ok("bridge_mark_read", { ids: [sent[0]] })
    const retried = await sender.ok("bridge_send_message", { to: { label: "sink" }, subject: "room again" })
    const after = await sink.ok("bridge_list_inbox", { all: true })
    assert.sameMembers(
      after.entries.map((e: { id: string }) => e.id),
      [...sent, retried.messageId]
    )
  })

  it("caps artifacts at SESSION_BRIDGE_MAX_ARTIFACT_BYTES", async () => {
    await sender.ok("bridge_post_artifact", { text: "b".repeat(1000) })
    assert.strictEqual(await sender.errorCode("bridge_post_artifact", { text: "b".repeat(1001) }), "ARTIFACT_TOO_LARGE")
    assert.strictEqual(
      await sender.errorCode("bridge_post_artifact", { contentBase64: Buffer.alloc(1001, 7).toString("base64") }),
      "ARTIFACT_TOO_LARGE"
    )
  })

  it("takes an artifact of exactly the default cap (10 MiB) over stdio, and refuses one byte more", async () => {
    const bytes = randomBytes(10 * 1024 * 1024)
    const posted = await other.ok("bridge_post_artifact", { contentBase64: bytes.toString("base64") })
    assert.strictEqual(posted.size, bytes.length)
    const over = Buffer.concat([bytes, Buffer.from([1])])
    assert.strictEqual(
      await other.errorCode("bridge_post_artifact", { contentBase64: over.toString("base64") }),
      "ARTIFACT_TOO_LARGE"
    )
    assert.deepStrictEqual(await other.ok("bridge_whoami").then((me) => me.label), "other")
  }, 180_000)

  it("gives back every artifact up to the cap byte-exact to an SDK client with its default 10 MiB buffer", async () => {
    const big = 10 * 1024 * 1024
    const cases: Array<[string, Buffer, Record<string, unknown>]> = [
      ["random bytes", randomBytes(big), {}],
      ["quotes", Buffer.alloc(big, 0x22), { text: '"'.repeat(big) }],
      ["control characters", Buffer.alloc(big, 0x01), { mimeType: "text/plain" }]
    ]
    for (const [what, bytes, post] of cases) {
      const posted = await other.ok("bridge_post_artifact", {
        ...("text" in post ? {} : { contentBase64: bytes.toString("base64") }),
        ...post
      })
      assert.strictEqual(posted.size, big, what)
      const fetched = await fetchArtifact(sink, posted.sha256)
      assert.isTrue(fetched.bytes.equals(bytes), what)
      assert.isAbove(fetched.replies, 1, what)
      assert.strictEqual(fetched.encoding, what === "random bytes" ? "base64" : "text", what)
    }
    assert.deepStrictEqual(sink.transportErrors, [])
    assert.strictEqual((await sink.ok("bridge_whoami")).label, "sink")
  }, 300_000)

  it("gives a code for bad base64, unknown and malformed sha256s", async () => {
    assert.strictEqual(
      await other.errorCode("bridge_post_artifact", { contentBase64: "!!!not base64!!!" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(
      await other.errorCode("bridge_post_artifact", { text: "a", contentBase64: "YQ==" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(await other.errorCode("bridge_post_artifact", {}), "INVALID_ARGUMENT")
    assert.strictEqual(await other.errorCode("bridge_get_artifact", { sha256: "0".repeat(64) }), "ARTIFACT_NOT_FOUND")
    assert.strictEqual(await other.errorCode("bridge_get_artifact", { sha256: "../../etc/passwd" }), "INVALID_ARGUMENT")
    assert.strictEqual(
      await other.errorCode("bridge_get_artifact", { sha256: "a".repeat(64), encoding: "hex" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(
      await other.errorCode("bridge_send_message", {
        to: { label: "sink" },
        subject: "x",
        artifacts: ["f".repeat(64)]
      }),
      "ARTIFACT_NOT_FOUND"
    )
  })

  it("gives INVALID_ARGUMENT for arguments of the wrong shape", async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ["bridge_send_message", { to: { label: "sink" } }],
      ["bridge_send_message", { to: { label: "sink" }, subject: "" }],
      ["bridge_send_message", { to: { label: "sink" }, subject: 7 }],
      ["bridge_send_message", { to: "sink", subject: "x" }],
      ["bridge_send_message", { to: { label: "sink" }, subject: "x", surprise: true }],
      ["bridge_list_inbox", { limit: 0 }],
      ["bridge_list_inbox", { limit: 1.5 }],
      ["bridge_mark_read", { ids: "not-a-list" }],
      ["bridge_mark_read", { ids: Array.from({ length: 100_000 }, () => testSessionId()) }],
      ["bridge_search", { query: "" }],
      ["bridge_get_thread", {}],
      ["bridge_wait_for_message", { timeoutSec: -1 }],
      ["bridge_broadcast", { subject: "x", ttlSec: "soon" }]
    ]
    for (const [tool, args] of cases)
      assert.strictEqual(await other.errorCode(tool, args), "INVALID_ARGUMENT", `${tool} ${JSON.stringify(args)}`)
    const duplicates = await other.client.callTool({
      name: "bridge_mark_read",
      arguments: { ids: Array(1000).fill("x") }
    })
    assert.deepStrictEqual(duplicates.content, [{ type: "text", text: JSON.stringify({ marked: 0, unknown: 1 }) }])
    assert.strictEqual(await other.errorCode("bridge_read_message", { id: testSessionId() }), "MESSAGE_NOT_FOUND")
    assert.strictEqual(await other.errorCode("bridge_read_message", { id: "../../sessions/x" }), "MESSAGE_NOT_FOUND")
    assert.strictEqual(
      await other.errorCode("bridge_send_message", { to: { label: "../sink" }, subject: "x" }),
      "INVALID_NAME"
    )
  })

  it("reports an invalid SESSION_BRIDGE_SESSION_ID as IDENTITY_UNRESOLVED", async () => {
    const bad = await spawn({ home, sessionId: "not-a-ulid" })
    assert.strictEqual(await bad.errorCode("bridge_whoami"), "IDENTITY_UNRESOLVED")
  })

  it("registers a session for its cwd when nothing names it, and finds the same one again", async () => {
    const cwd = path.join(home, "work", "anonymous")
    fs.mkdirSync(cwd, { recursive: true })
    const first = await spawn({ home, cwd })
    const me = await first.ok("bridge_whoami")
    assert.match(me.sessionId, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/)
    assert.strictEqual(me.cwd, cwd)
    assert.strictEqual(me.label, "anonymous")
    const second = await spawn({ home, cwd })
    assert.strictEqual((await second.ok("bridge_whoami")).sessionId, me.sessionId)
  })

  it("keeps one identity across a host's resume (same host session id) and detects the host from env", async () => {
    const env = { CLAUDE_CODE_SESSION_ID: "2f1c7e9a-0b7d-4a51-9b1e-5d3c0f6a8e21", CLAUDECODE: "1" }
    const a = await spawn({ home, env, clientName: "some-ide", cwd: home })
    const first = await a.ok("bridge_whoami")
    assert.strictEqual(first.provider, "claude-code")
    await a.close()
    const b = await spawn({ home, env, clientName: "some-ide", cwd: home })
    assert.strictEqual((await b.ok("bridge_whoami")).sessionId, first.sessionId)
  })

  it("keeps the home 0700 and every file 0600, and writes nothing outside it", async () => {
    let checked = 0
    walk(home, (p, st) => {
      if (p.startsWith(path.join(home, "work"))) return
      checked++
      if (st.isDirectory()) assert.strictEqual(st.mode & 0o777, 0o700, p)
      else if (st.isFile()) assert.strictEqual(st.mode & 0o777, 0o600, p)
    })
    assert.isAbove(checked, 10)
    assert.strictEqual(fs.statSync(home).mode & 0o777, 0o700)
    assert.isFalse(fs.existsSync(path.join(home, "user-home", ".session-bridge")))
  })
})
