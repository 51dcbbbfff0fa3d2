import { assert, describe, it } from "@effect/vitest"
import { inputJsonSchema } from "../../../src/mcp/JsonSchemas.js"
import { tools } from "../../../src/mcp/Tools.js"

const CONTRACT = [
  "bridge_whoami",
  "bridge_list_sessions",
  "bridge_send_message",
  "bridge_broadcast",
  "bridge_list_inbox",
  "bridge_read_message",
  "bridge_mark_read",
  "bridge_post_artifact",
  "bridge_get_artifact",
  "bridge_wait_for_message",
  "bridge_join_channel",
  "bridge_leave_channel",
  "bridge_list_channels",
  "bridge_channel_history",
  "bridge_get_thread",
  "bridge_set_summary",
  "bridge_search"
]

const listed = () =>
  tools.map((t) => ({ name: t.name, description: t.description, inputSchema: inputJsonSchema(t.input) }))

describe("tool table", () => {
  it("has exactly the seventeen contract tools", () => {
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), [...CONTRACT].sort())
  })

  it("serializes tools/list under 12,000 characters", () => {
    const size = JSON.stringify({ tools: listed() }).length
    assert.isBelow(size, 12_000)
  })

  it("keeps the contract's argument names", () => {
    const props = (name: string) =>
      Object.keys((listed().find((t) => t.name === name)?.inputSchema["properties"] ?? {}) as object).sort()
    assert.deepStrictEqual(props("bridge_send_message"), ["artifacts", "body", "replyTo", "subject", "to"])
    assert.deepStrictEqual(props("bridge_post_artifact"), ["contentBase64", "mimeType", "name", "text"])
    assert.deepStrictEqual(props("bridge_get_artifact"), ["encoding", "length", "offset", "sha256"])
    assert.deepStrictEqual(props("bridge_get_thread"), ["messageId", "threadId"])
    assert.deepStrictEqual(props("bridge_list_inbox"), ["all", "limit"])
    assert.deepStrictEqual(props("bridge_wait_for_message"), ["timeoutSec"])
    assert.deepStrictEqual(props("bridge_whoami"), [])
  })
})
