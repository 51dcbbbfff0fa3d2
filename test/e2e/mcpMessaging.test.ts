import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensureBuilt } from "../support/build.js"
import { type McpHandle, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/**
 * Three real `session-bridge mcp` processes (alice, bob, carol) on one temporary home, each with its own
 * SESSION_BRIDGE_SESSION_ID, label and working directory, driven by the MCP SDK client over stdio.
 */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
const suffix = (n: number) => Array.from({ length: n }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join("")

let home: string
let alice: McpHandle
let bob: McpHandle
let carol: McpHandle
/** The three ids share their first 12 characters, so that prefix is ambiguous; 20 characters are unique. */
const shared = testSessionId().slice(0, 12)
const ids = { alice: shared + "A" + suffix(13), bob: shared + "B" + suffix(13), carol: shared + "C" + suffix(13) }
const cwdOf = (label: string) => path.join(home, "work", label)

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex")
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const unique = (what: string) => `${what} ${suffix(6)}`

const inbox = async (who: McpHandle, all = true) =>
  (await who.ok("bridge_list_inbox", { all, limit: 1000 })) as {
    unread: number
    entries: Array<{
      id: string
      kind: string
      subject: string
      read: boolean
      threadId: string
      from: { label: string }
    }>
  }

describe("bridge tools across real processes", () => {
  beforeAll(async () => {
    await ensureBuilt()
    home = tempHome()
    for (const label of ["alice", "bob", "carol"]) fs.mkdirSync(cwdOf(label), { recursive: true })
    const spawn = (label: "alice" | "bob" | "carol") =>
      spawnMcp({ home, label, sessionId: ids[label], cwd: cwdOf(label), clientName: "claude-code" })
    ;[alice, bob, carol] = await Promise.all([spawn("alice"), spawn("bob"), spawn("carol")])
    // Each server registers its session at its first tool call.
    for (const who of [alice, bob, carol]) await who.ok("bridge_whoami")
  }, 180_000)

  afterAll(async () => {
    await Promise.allSettled([alice?.close(), bob?.close(), carol?.close()])
    if (home) fs.rmSync(home, { recursive: true, force: true })
  })

  it("lists exactly the seventeen tools", async () => {
    const { tools } = await alice.client.listTools()
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), [
      "bridge_broadcast",
      "bridge_channel_history",
      "bridge_get_artifact",
      "bridge_get_thread",
      "bridge_join_channel",
      "bridge_leave_channel",
      "bridge_list_channels",
      "bridge_list_inbox",
      "bridge_list_sessions",
      "bridge_mark_read",
      "bridge_post_artifact",
      "bridge_read_message",
      "bridge_search",
      "bridge_send_message",
      "bridge_set_summary",
      "bridge_wait_for_message",
      "bridge_whoami"
    ])
  })

  it("knows who each server is: id, label, cwd, provider from clientInfo", async () => {
    const me = await bob.ok("bridge_whoami")
    assert.deepStrictEqual(me, { sessionId: ids.bob, label: "bob", cwd: cwdOf("bob"), provider: "claude-code" })
    const { sessions } = await alice.ok("bridge_list_sessions")
    assert.includeMembers(
      sessions.map((s: { label: string }) => s.label),
      ["alice", "bob", "carol"]
    )
  })

  it("delivers by label, cwd, full sessionId and unique prefix", async () => {
    const addresses = [
      { label: "bob" },
      { cwd: cwdOf("bob") },
      { sessionId: ids.bob },
      { sessionId: ids.bob.slice(0, 20).toLowerCase() }
    ]
    const sent: Array<string> = []
    for (const to of addresses) {
      const subject = unique(`by ${Object.keys(to)[0]}`)
      const r = await alice.ok("bridge_send_message", { to, subject, body: "hi" })
      assert.deepStrictEqual(r.recipients, [{ sessionId: ids.bob, label: "bob" }])
      assert.strictEqual(r.threadId, r.messageId)
      sent.push(r.messageId)
    }
    const got = (await inbox(bob)).entries.map((e) => e.id)
    assert.includeMembers(got, sent)
    const carolSees = (await inbox(carol)).entries.map((e) => e.id)
    for (const id of sent) assert.notInclude(carolSees, id)
  })

  it("refuses an ambiguous prefix, a too-short prefix, unknown recipients and a relative cwd", async () => {
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { sessionId: shared }, subject: "x" }),
      "AMBIGUOUS_RECIPIENT"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { sessionId: shared.slice(0, 5) }, subject: "x" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { label: "nobody-here" }, subject: "x" }),
      "RECIPIENT_NOT_FOUND"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { sessionId: testSessionId() }, subject: "x" }),
      "RECIPIENT_NOT_FOUND"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { cwd: "work/bob" }, subject: "x" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { cwd: path.join(home, "nowhere") }, subject: "x" }),
      "RECIPIENT_NOT_FOUND"
    )
    assert.strictEqual(
      await alice.errorCode("bridge_send_message", { to: { label: "bob", cwd: cwdOf("bob") }, subject: "x" }),
      "INVALID_ARGUMENT"
    )
    assert.strictEqual(await alice.errorCode("bridge_send_message", { to: {}, subject: "x" }), "INVALID_ARGUMENT")
  })

  it("shares text and binary artifacts by sha256, deduplicated, with metas on the message", async () => {
    const text = `# notes ${suffix(8)}\nline two\n`
    const posted = await alice.ok("bridge_post_artifact", { text, name: "notes.md", mimeType: "text/markdown" })
    assert.strictEqual(posted.sha256, sha256(text))
    assert.strictEqual(posted.size, Buffer.byteLength(text))
    const again = await bob.ok("bridge_post_artifact", { text })
    assert.strictEqual(again.sha256, posted.sha256)
    assert.strictEqual(again.deduped, true)

    const bytes = randomBytes(4096)
    const bin = await alice.ok("bridge_post_artifact", { contentBase64: bytes.toString("base64"), name: "blob.bin" })
    assert.strictEqual(bin.sha256, sha256(bytes))
    assert.strictEqual(bin.size, 4096)

    const sent = await alice.ok("bridge_send_message", {
      to: { label: "bob" },
      subject: unique("files"),
      artifacts: [posted.sha256, bin.sha256]
    })
    const read = await bob.ok("bridge_read_message", { id: sent.messageId })
    assert.sameMembers(
      read.artifacts.map((a: { sha256: string }) => a.sha256),
      [posted.sha256, bin.sha256]
    )
    const asText = await bob.ok("bridge_get_artifact", { sha256: posted.sha256, encoding: "text" })
    assert.strictEqual(asText.content, text)
    const asBase64 = await bob.ok("bridge_get_artifact", { sha256: bin.sha256, encoding: "base64" })
    assert.isTrue(Buffer.from(asBase64.content, "base64").equals(bytes))
    assert.strictEqual(asBase64.encoding, "base64")
  })

  it("fans a broadcast out to every other session until it expires", async () => {
    const lasting = await alice.ok("bridge_broadcast", { subject: unique("lasting"), ttlSec: 600 })
    const brief = await alice.ok("bridge_broadcast", { subject: unique("brief"), ttlSec: 1 })
    for (const who of [bob, carol]) {
      const seen = (await inbox(who)).entries
      const ids = seen.filter((e) => e.kind === "broadcast").map((e) => e.id)
      assert.includeMembers(ids, [lasting.messageId])
    }
    assert.notInclude(
      (await inbox(alice)).entries.map((e) => e.id),
      lasting.messageId,
      "the sender does not receive its own broadcast"
    )
    await sleep(1500)
    for (const who of [bob, carol]) {
      const ids = (await inbox(who)).entries.map((e) => e.id)
      assert.notInclude(ids, brief.messageId, "an expired broadcast is gone")
      assert.include(ids, lasting.messageId)
    }
    assert.strictEqual(await alice.errorCode("bridge_broadcast", { subject: "x", ttlSec: 0 }), "INVALID_ARGUMENT")
    assert.strictEqual(
      await alice.errorCode("bridge_broadcast", { subject: "x", ttlSec: 7 * 24 * 3600 + 1 }),
      "INVALID_ARGUMENT"
    )
  })

  it("fans a channel message out to members only and keeps its history", async () => {
    const channel = `#e2e-${suffix(5).toLowerCase()}`
    await alice.ok("bridge_join_channel", { channel })
    const joined = await bob.ok("bridge_join_channel", { channel: channel.toUpperCase() })
    assert.strictEqual(joined.channel, channel)
    assert.sameMembers(
      joined.members.map((m: { sessionId: string }) => m.sessionId),
      [ids.alice, ids.bob]
    )

    assert.strictEqual(await carol.errorCode("bridge_send_message", { to: { channel }, subject: "x" }), "NOT_A_MEMBER")
    assert.strictEqual(await carol.errorCode("bridge_channel_history", { channel }), "NOT_A_MEMBER")

    const sent = await alice.ok("bridge_send_message", {
      to: { channel },
      subject: unique("to the channel"),
      body: "all hands"
    })
    assert.deepStrictEqual(sent.recipients, [{ sessionId: ids.bob, label: "bob" }])
    assert.include(
      (await inbox(bob)).entries.map((e) => e.id),
      sent.messageId
    )
    assert.notInclude(
      (await inbox(carol)).entries.map((e) => e.id),
      sent.messageId
    )

    const history = await bob.ok("bridge_channel_history", { channel })
    assert.include(
      history.messages.map((m: { id: string }) => m.id),
      sent.messageId
    )
    const listed = (await carol.ok("bridge_list_channels")).channels.find(
      (c: { channel: string }) => c.channel === channel
    )
    assert.deepStrictEqual(listed, { channel, members: 2, joined: false })

    await bob.ok("bridge_leave_channel", { channel })
    assert.strictEqual(await bob.errorCode("bridge_send_message", { to: { channel }, subject: "x" }), "NOT_A_MEMBER")
    const after = await alice.ok("bridge_send_message", { to: { channel }, subject: unique("after leave") })
    assert.deepStrictEqual(after.recipients, [])
  })

  it("refuses hostile channel names with a stable code", async () => {
    for (const channel of [
      "#../etc",
      "../x",
      "#a/b",
      "#",
      "#a\u0000b",
      "#" + "a".repeat(65),
      "#-leading",
      "#sp ace",
      "#\u202ertl"
    ]) {
      const code = await alice.errorCode("bridge_join_channel", { channel })
      assert.include(["INVALID_NAME", "INVALID_ARGUMENT"], code, channel)
    }
    assert.isFalse(fs.existsSync(path.join(home, "etc")))
  })

  it("chains replies into one thread, oldest first", async () => {
    const m1 = await alice.ok("bridge_send_message", { to: { label: "bob" }, subject: unique("question") })
    const m2 = await bob.ok("bridge_send_message", { to: { label: "alice" }, subject: "re", replyTo: m1.messageId })
    const m3 = await alice.ok("bridge_send_message", { to: { label: "bob" }, subject: "re re", replyTo: m2.messageId })
    assert.strictEqual(m2.threadId, m1.messageId)
    assert.strictEqual(m3.threadId, m1.messageId)
    for (const [who, by] of [
      [alice, { threadId: m1.messageId }],
      [bob, { messageId: m3.messageId }]
    ] as const) {
      const thread = await who.ok("bridge_get_thread", by)
      assert.deepStrictEqual(
        thread.messages.map((m: { id: string }) => m.id),
        [m1.messageId, m2.messageId, m3.messageId]
      )
    }
    const read = await bob.ok("bridge_read_message", { id: m3.messageId })
    assert.strictEqual(read.inReplyTo, m2.messageId)
    assert.include(
      ["THREAD_NOT_FOUND", "MESSAGE_NOT_FOUND"],
      await carol.errorCode("bridge_get_thread", { threadId: m1.messageId })
    )
    assert.strictEqual(await carol.errorCode("bridge_read_message", { id: m1.messageId }), "MESSAGE_NOT_FOUND")
  })

  it("marks read idempotently, for inbox and broadcast ids", async () => {
    const direct = await alice.ok("bridge_send_message", { to: { label: "carol" }, subject: unique("mark me") })
    const cast = await alice.ok("bridge_broadcast", { subject: unique("mark me too") })
    const before = await inbox(carol, false)
    assert.includeMembers(
      before.entries.map((e) => e.id),
      [direct.messageId, cast.messageId]
    )
    const first = await carol.ok("bridge_mark_read", { ids: [direct.messageId, cast.messageId] })
    assert.strictEqual(first.marked, 2)
    const second = await carol.ok("bridge_mark_read", { ids: [direct.messageId, cast.messageId] })
    assert.strictEqual(second.marked, 0)
    const after = await inbox(carol, false)
    assert.notIncludeMembers(
      after.entries.map((e) => e.id),
      [direct.messageId, cast.messageId]
    )
    assert.strictEqual(after.unread, before.unread - 2)
    const all = await inbox(carol, true)
    assert.isTrue(all.entries.find((e) => e.id === direct.messageId)?.read)
  })

  it("wakes a waiting session when another process sends", async () => {
    // Drain whatever carol has not been shown yet, so the wait below is for the next message.
    for (;;) {
      const r = await carol.ok("bridge_wait_for_message", { timeoutSec: 0 })
      if (r.timedOut) break
    }
    const waiting = carol.ok("bridge_wait_for_message", { timeoutSec: 60 })
    await sleep(300)
    const sent = await bob.ok("bridge_send_message", { to: { label: "carol" }, subject: unique("wake up") })
    const woke = await waiting
    assert.isFalse(woke.timedOut)
    assert.strictEqual(woke.message.id, sent.messageId)
    const none = await carol.ok("bridge_wait_for_message", { timeoutSec: 0 })
    assert.isTrue(none.timedOut)
    assert.strictEqual(await carol.errorCode("bridge_wait_for_message", { timeoutSec: 301 }), "INVALID_ARGUMENT")
  })

  it("never loses or duplicates a message when processes send concurrently", async () => {
    const tag = suffix(6)
    const perSender = 15
    const senders = [alice, bob]
    const results = await Promise.all(
      senders.flatMap((s, k) =>
        Array.from({ length: perSender }, (_, i) =>
          s.ok("bridge_send_message", { to: { label: "carol" }, subject: `race ${tag} ${k}-${i}` })
        )
      )
    )
    const sentIds = results.map((r) => r.messageId as string)
    assert.strictEqual(new Set(sentIds).size, sentIds.length, "every send got its own id")
    const got = (await inbox(carol)).entries.filter((e) => e.subject.startsWith(`race ${tag} `))
    assert.strictEqual(got.length, sentIds.length)
    assert.sameMembers(
      got.map((e) => e.id),
      sentIds
    )
  })

  it("searches what the session may see, newest first", async () => {
    const word = `zebra${suffix(5).toLowerCase()}`
    const older = await alice.ok("bridge_send_message", { to: { label: "bob" }, subject: `${word} first`, body: "x" })
    const newer = await carol.ok("bridge_send_message", {
      to: { label: "bob" },
      subject: "second",
      body: `about ${word}`
    })
    await alice.ok("bridge_send_message", { to: { label: "carol" }, subject: `${word} not for bob` })
    const { results } = await bob.ok("bridge_search", { query: word })
    assert.deepStrictEqual(
      results.map((r: { id: string }) => r.id),
      [newer.messageId, older.messageId]
    )
  })

  it("shows a summary in list_sessions", async () => {
    await carol.ok("bridge_set_summary", { summary: "reviewing the parser" })
    const { sessions } = await alice.ok("bridge_list_sessions")
    const c = sessions.find((s: { label: string }) => s.label === "carol")
    assert.strictEqual(c.summary, "reviewing the parser")
    assert.isTrue(c.online)
  })

  it("writes nothing but JSON-RPC on stdout (no transport errors) and logs nothing alarming", async () => {
    for (const who of [alice, bob, carol]) assert.deepStrictEqual(who.transportErrors, [])
  })

  it("leaves no temp file in the home once its servers have exited (the spares made ahead are removed)", async () => {
    const temps = () =>
      (fs.readdirSync(home, { recursive: true }) as Array<string>).filter((p) => path.basename(p).startsWith(".tmp-"))
    // A server makes its next temp file ahead in each directory it wrote into (ADR-0074).
    assert.isNotEmpty(temps(), "spares while the servers run")
    await Promise.all([alice.close(), bob.close(), carol.close()])
    assert.deepStrictEqual(temps(), [])
  })
})
