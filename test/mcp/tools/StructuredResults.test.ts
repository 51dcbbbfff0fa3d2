import { assert, describe, it } from "@effect/vitest"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { DateTime, Effect, Layer } from "effect"
import * as CurrentSession from "../../../src/bridge/CurrentSession.js"
import { envelopeView } from "../../../src/bridge/Views.js"
import type { MessageEnvelope } from "../../../src/domain/Records.js"
import type { MessageId, SessionId } from "../../../src/domain/Ulid.js"
import * as McpServer from "../../../src/mcp/Server.js"
import { tools } from "../../../src/mcp/Tools.js"
import { sendMessage } from "../../../src/mcp/tools/MessageTools.js"
import { connect } from "../../support/mcpClient.js"
import { call, memoryBridge, register } from "../../bridge/support.js"

/** The JSON of a result's one text block. */
const textJson = (result: CallToolResult): unknown => {
  const first = result.content[0]
  return JSON.parse(first?.type === "text" ? first.text : "null")
}

describe("structured tool results", () => {
  it.live("every tool's structuredContent is its text block's JSON and matches its output schema", () =>
    Effect.gen(function* () {
      const ctx = yield* Layer.build(memoryBridge())
      const [alice, bob] = yield* Effect.all([register("alice"), register("bob")]).pipe(Effect.provide(ctx))
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
      yield* McpServer.make({
        name: "test",
        version: "0",
        tools,
        transport: serverSide,
        context: () => Layer.merge(Layer.succeedContext(ctx), CurrentSession.layerFixed(alice))
      })
      const client = yield* Effect.promise(() => connect(clientSide))
      // Listing the tools makes the SDK client check every later result against its output schema.
      yield* Effect.promise(() => client.client.listTools())
      const sent = yield* call(sendMessage, bob, { to: { label: "alice" }, subject: "hi", body: "b" }).pipe(
        Effect.provide(ctx)
      )
      const called = new Set<string>()
      const expect = async (name: string, args: Record<string, unknown>, isError: boolean) => {
        const result = (await client.client.callTool({ name, arguments: args })) as CallToolResult
        called.add(name)
        assert.strictEqual(
          result.isError === true,
          isError,
          `${name} ${JSON.stringify(args)}: ${JSON.stringify(textJson(result))}`
        )
        if (isError) assert.notProperty(result, "structuredContent", name)
        else assert.deepStrictEqual(result.structuredContent, textJson(result), name)
        return textJson(result) as any
      }
      yield* Effect.promise(async () => {
        await expect("bridge_whoami", {}, false)
        await expect("bridge_list_sessions", { includeOffline: true }, false)
        await expect("bridge_set_summary", { summary: "typing" }, false)
        const posted = await expect("bridge_post_artifact", { text: "notes", name: "n.txt" }, false)
        await expect("bridge_get_artifact", { sha256: posted.sha256, length: 2 }, false)
        await expect(
          "bridge_send_message",
          {
            to: { label: "bob" },
            subject: "s",
            body: "x".repeat(300),
            artifacts: [posted.sha256],
            replyTo: sent.messageId
          },
          false
        )
        await expect("bridge_broadcast", { subject: "deploy", ttlSec: 60 }, false)
        await expect("bridge_list_inbox", { all: true }, false)
        await expect("bridge_read_message", { id: sent.messageId }, false)
        await expect("bridge_wait_for_message", { timeoutSec: 0 }, false)
        await expect("bridge_wait_for_message", { timeoutSec: 0 }, false)
        await expect("bridge_mark_read", { ids: [sent.messageId, "01ARZ3NDEKTSV4RRFFQ69G5FAV"] }, false)
        await expect("bridge_join_channel", { channel: "#dev" }, false)
        await expect("bridge_send_message", { to: { channel: "#dev" }, subject: "to no one else" }, false)
        await expect("bridge_list_channels", {}, false)
        await expect("bridge_channel_history", { channel: "#dev" }, false)
        await expect("bridge_leave_channel", { channel: "#dev" }, false)
        await expect("bridge_get_thread", { messageId: sent.messageId }, false)
        await expect("bridge_search", { query: "x" }, false)
        // Error paths: isError results without structuredContent, which the SDK client does not check.
        await expect("bridge_whoami", { extra: true }, true)
        await expect("bridge_send_message", { to: { label: "nobody" }, subject: "s" }, true)
        await expect("bridge_read_message", { id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, true)
        await expect("bridge_get_artifact", { sha256: "0".repeat(64) }, true)
        await expect("bridge_channel_history", { channel: "#nowhere" }, true)
      })
      assert.deepStrictEqual([...called].sort(), tools.map((t) => t.name).sort())
    }).pipe(Effect.scoped)
  )

  it("a message view lists 20 recipients and counts the rest", () => {
    const party = (n: number) => ({ sessionId: `S${n}` as SessionId, label: `p${n}` })
    const envelope: MessageEnvelope = {
      v: 1,
      id: "M1" as MessageId,
      kind: "direct",
      from: party(0),
      to: Array.from({ length: 22 }, (_, i) => party(i + 1)),
      subject: "s",
      body: "b",
      threadId: "M1" as MessageId,
      artifacts: [],
      createdAt: DateTime.unsafeMake(0),
      origin: "local"
    }
    const view = envelopeView(envelope)
    assert.deepStrictEqual([view.to.length, view.to[19], view.toMore], [20, party(20), 2])
    assert.notProperty(view, "origin")
    assert.notProperty(envelopeView({ ...envelope, to: [party(1)] }), "toMore")
  })
})
