import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import { ensureBuilt } from "../support/build.js"
import { type McpHandle, spawnMcp, tempHome, testSessionId } from "../support/mcpClient.js"

/**
 * Every tool of a real `session-bridge mcp` through the SDK client, which checks each result against the
 * tool's output schema (mcpClient lists the tools first and checks structuredContent against the text block).
 */
let home: string
let alice: McpHandle
let bob: McpHandle

describe("tool results over stdio", () => {
  beforeAll(async () => {
    await ensureBuilt()
    home = tempHome()
    ;[alice, bob] = await Promise.all([
      spawnMcp({ home, label: "alice", sessionId: testSessionId() }),
      spawnMcp({ home, label: "bob", sessionId: testSessionId() })
    ])
    for (const who of [alice, bob]) await who.ok("bridge_whoami")
  }, 180_000)

  afterAll(async () => {
    await Promise.allSettled([alice?.close(), bob?.close()])
    if (home) fs.rmSync(home, { recursive: true, force: true })
  })

  it("lists a title and all four hints for each of the seventeen tools", async () => {
    const { tools } = await alice.client.listTools()
    assert.strictEqual(tools.length, 17)
    for (const t of tools) {
      assert.isString(t.title, t.name)
      assert.strictEqual(t.annotations?.title, t.title, t.name)
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
        assert.isBoolean(t.annotations?.[hint], `${t.name} ${hint}`)
      // Only a send reaches beyond this machine (a message to a contact).
      assert.strictEqual(t.annotations?.openWorldHint, t.name === "bridge_send_message", t.name)
      assert.strictEqual(t.outputSchema?.type, "object", t.name)
    }
    const hints = (name: string) => tools.find((t) => t.name === name)?.annotations
    assert.isTrue(hints("bridge_list_inbox")?.readOnlyHint)
    assert.deepStrictEqual(
      [hints("bridge_mark_read")?.readOnlyHint, hints("bridge_mark_read")?.idempotentHint],
      [false, true]
    )
    assert.isFalse(hints("bridge_send_message")?.idempotentHint)
  })

  it("answers every tool, and its error paths, in the shape its output schema gives", async () => {
    const called = new Set<string>()
    const ok = async (who: McpHandle, name: string, args: Record<string, unknown> = {}) => {
      called.add(name)
      return who.ok(name, args)
    }
    const fails = async (name: string, args: Record<string, unknown>) => {
      called.add(name)
      return alice.errorCode(name, args)
    }
    const me = await ok(alice, "bridge_whoami")
    assert.strictEqual(me.label, "alice")
    assert.include(
      (await ok(alice, "bridge_list_sessions")).sessions.map((s: { label: string }) => s.label),
      "bob"
    )
    await ok(alice, "bridge_set_summary", { summary: "checking results" })
    const posted = await ok(alice, "bridge_post_artifact", { text: "notes\n", name: "notes.txt" })
    const piece = await ok(bob, "bridge_get_artifact", { sha256: posted.sha256, offset: 1, length: 2 })
    assert.deepStrictEqual([piece.content, piece.nextOffset, piece.name], ["ot", 3, "notes.txt"])
    const sent = await ok(alice, "bridge_send_message", {
      to: { label: "bob" },
      subject: "results",
      body: "y".repeat(250),
      artifacts: [posted.sha256]
    })
    await ok(bob, "bridge_send_message", { to: { label: "alice" }, subject: "re", replyTo: sent.messageId })
    assert.match((await ok(alice, "bridge_broadcast", { subject: "deploy", ttlSec: 60 })).expiresAt, /Z$/)
    const inbox = await ok(bob, "bridge_list_inbox", { all: true })
    assert.isAtLeast(inbox.entries.length, 2)
    const full = await ok(bob, "bridge_read_message", { id: sent.messageId })
    assert.deepStrictEqual(
      full.artifacts.map((a: { sha256: string }) => a.sha256),
      [posted.sha256]
    )
    assert.isFalse((await ok(alice, "bridge_wait_for_message", { timeoutSec: 1 })).timedOut)
    assert.deepStrictEqual(await ok(bob, "bridge_mark_read", { ids: [sent.messageId, "01ARZ3NDEKTSV4RRFFQ69G5FAV"] }), {
      marked: 1,
      unknown: 1
    })
    assert.strictEqual((await ok(alice, "bridge_join_channel", { channel: "#e2e" })).channel, "#e2e")
    await ok(bob, "bridge_join_channel", { channel: "e2e" })
    await ok(alice, "bridge_send_message", { to: { channel: "#e2e" }, subject: "in the channel" })
    assert.isAtLeast((await ok(alice, "bridge_list_channels")).channels.length, 1)
    assert.strictEqual((await ok(bob, "bridge_channel_history", { channel: "#e2e" })).messages.length, 1)
    assert.isTrue((await ok(bob, "bridge_leave_channel", { channel: "#e2e" })).left)
    assert.strictEqual((await ok(alice, "bridge_get_thread", { messageId: sent.messageId })).messages.length, 2)
    const hits = (await ok(bob, "bridge_search", { query: "results" })).results
    assert.strictEqual(hits[0].snippet, `${"y".repeat(200)}…`)
    // Bob has not been shown the broadcast and the channel message yet; then the wait times out.
    let waits = 0
    while (!(await ok(bob, "bridge_wait_for_message", { timeoutSec: 0 })).timedOut) waits++
    assert.strictEqual(waits, 2)

    // Error paths: isError results, which carry no structuredContent and pass the client's checks.
    for (const name of ["bridge_whoami", "bridge_list_channels"])
      assert.strictEqual(await fails(name, { extra: true }), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_list_sessions", { includeOffline: "yes" }), "INVALID_ARGUMENT")
    assert.strictEqual(
      await fails("bridge_send_message", { to: { label: "nobody" }, subject: "s" }),
      "RECIPIENT_NOT_FOUND"
    )
    assert.strictEqual(await fails("bridge_broadcast", { subject: "s", ttlSec: 0 }), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_list_inbox", { limit: "ten" }), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_read_message", { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }), "MESSAGE_NOT_FOUND")
    assert.strictEqual(await fails("bridge_mark_read", { ids: "x" }), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_post_artifact", {}), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_get_artifact", { sha256: "0".repeat(64) }), "ARTIFACT_NOT_FOUND")
    assert.strictEqual(await fails("bridge_wait_for_message", { timeoutSec: 301 }), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_join_channel", { channel: "#Bad Name" }), "INVALID_NAME")
    assert.strictEqual(await fails("bridge_leave_channel", {}), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_channel_history", { channel: "#nowhere" }), "NOT_A_MEMBER")
    assert.strictEqual(await fails("bridge_get_thread", { threadId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }), "THREAD_NOT_FOUND")
    assert.strictEqual(await fails("bridge_set_summary", {}), "INVALID_ARGUMENT")
    assert.strictEqual(await fails("bridge_search", {}), "INVALID_ARGUMENT")
    assert.strictEqual(called.size, 17)
  }, 60_000)
})
