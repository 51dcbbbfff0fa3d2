import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { listedTool } from "../../../src/mcp/ToolListing.js"
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

const listed = () => tools.map(listedTool)

/** The part of tools/list a model reads: names, descriptions and input schemas. */
const modelPart = () =>
  JSON.stringify({
    tools: listed().map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }))
  })

/** [readOnly, destructive, idempotent, openWorld] per tool; only a send may reach beyond this machine (a contact). */
const HINTS: Record<string, [boolean, boolean, boolean, boolean]> = {
  bridge_whoami: [true, false, true, false],
  bridge_list_sessions: [true, false, true, false],
  bridge_send_message: [false, false, false, true],
  bridge_broadcast: [false, false, false, false],
  bridge_list_inbox: [true, false, true, false],
  bridge_read_message: [true, false, true, false],
  bridge_mark_read: [false, false, true, false],
  bridge_post_artifact: [false, false, true, false],
  bridge_get_artifact: [true, false, true, false],
  bridge_wait_for_message: [false, false, false, false],
  bridge_join_channel: [false, false, true, false],
  bridge_leave_channel: [false, true, true, false],
  bridge_list_channels: [true, false, true, false],
  bridge_channel_history: [true, false, true, false],
  bridge_get_thread: [true, false, true, false],
  bridge_set_summary: [false, true, true, false],
  bridge_search: [true, false, true, false]
}

describe("tool table", () => {
  it("has exactly the seventeen contract tools", () => {
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), [...CONTRACT].sort())
  })

  it("keeps the part of tools/list a model reads at or under 6,000 characters", () => {
    assert.isAtMost(modelPart().length, 6_000)
  })

  it("gives every tool a title, all four hints, and an object output schema without descriptions", () => {
    for (const t of listed()) {
      assert.match(t.title, /^[A-Z][a-z]*( [a-zA-Z]+)*$/, t.name)
      const { title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = t.annotations
      assert.strictEqual(title, t.title)
      assert.deepStrictEqual([readOnlyHint, destructiveHint, idempotentHint, openWorldHint], HINTS[t.name], t.name)
      assert.strictEqual(t.outputSchema["type"], "object", t.name)
      for (const noise of ['"description"', "$ref", "$defs", "$schema"])
        assert.notInclude(JSON.stringify(t.outputSchema), noise, t.name)
    }
  })

  it("refuses an unknown argument to every tool, including those that take none", () => {
    for (const t of tools) {
      const decoded = Schema.decodeUnknownEither(t.input, { errors: "all", onExcessProperty: "error" })({
        extra: true
      })
      assert.isTrue(Either.isLeft(decoded), t.name)
    }
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
