import { assert, describe, it } from "@effect/vitest"
import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS as SDK_VERSIONS
} from "@modelcontextprotocol/sdk/types.js"
import { DEFAULT_MAX_ARTIFACT_BYTES, positiveIntFromEnv } from "../../src/bridge/Limits.js"
import { InvalidArgument } from "../../src/domain/Errors.js"
import { asJsonRpcMessage } from "../../src/domain/JsonRpc.js"
import { SUPPORTED_PROTOCOL_VERSIONS } from "../../src/mcp/McpConnection.js"
import { oversizedReply } from "../../src/mcp/OversizedReply.js"
import { paramsIssues } from "../../src/mcp/ParamsGuard.js"
import { renderToolError } from "../../src/mcp/ToolErrors.js"
import { artifactCap, DEFAULT_ARTIFACT_CAP } from "../../src/platform/NodeMcpProcess.js"
import * as HostEnv from "../../src/services/HostEnv.js"

/*
 * The server reads JSON-RPC without the MCP SDK (src/domain/JsonRpc.ts, src/mcp/ParamsGuard.ts): what it accepts
 * must be exactly what the SDK's schemas accept, so every value here is judged by both.
 */

const meta = [
  undefined,
  {},
  { progressToken: "t" },
  { progressToken: 3 },
  { progressToken: 1.5 },
  { progressToken: null },
  "m",
  [],
  { other: { deep: 1 } },
  { "io.modelcontextprotocol/related-task": { taskId: "t" } },
  { "io.modelcontextprotocol/related-task": { taskId: 1 } }
]
const ids = [1, 0, -7, "a", "", 1.5, null, true, {}, 2 ** 60]

const messages: Array<unknown> = [
  null,
  1,
  "x",
  [],
  [{ jsonrpc: "2.0", id: 1, method: "ping" }],
  {},
  { hello: 1 },
  { jsonrpc: "1.0", id: 1, method: "ping" },
  { jsonrpc: 2, id: 1, method: "ping" },
  ...ids.map((id) => ({ jsonrpc: "2.0", id, method: "ping" })),
  ...ids.map((id) => ({ jsonrpc: "2.0", id, result: {} })),
  ...ids.map((id) => ({ jsonrpc: "2.0", id, error: { code: -1, message: "m" } })),
  { jsonrpc: "2.0", id: 1, method: 7 },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", method: "notifications/initialized", extra: 1 },
  { jsonrpc: "2.0", id: 1, method: "ping", extra: 1 },
  ...[null, 1, "p", [], {}, { a: 1 }].map((params) => ({ jsonrpc: "2.0", id: 1, method: "ping", params })),
  ...[null, 1, []].map((params) => ({ jsonrpc: "2.0", method: "n", params })),
  ...meta.map((_meta) => ({ jsonrpc: "2.0", id: 1, method: "ping", params: { _meta } })),
  ...meta.map((_meta) => ({ jsonrpc: "2.0", method: "n", params: { _meta } })),
  ...meta.map((_meta) => ({ jsonrpc: "2.0", id: 1, result: { _meta } })),
  { jsonrpc: "2.0", id: 1, result: null },
  { jsonrpc: "2.0", id: 1, result: [] },
  { jsonrpc: "2.0", id: 1, result: {}, extra: 1 },
  { jsonrpc: "2.0", error: { code: -1, message: "m" } },
  { jsonrpc: "2.0", id: 1, error: { code: 1.5, message: "m" } },
  { jsonrpc: "2.0", id: 1, error: { code: -1 } },
  { jsonrpc: "2.0", id: 1, error: { code: -1, message: "m", data: [1], more: 2 } },
  { jsonrpc: "2.0", id: 1, error: null },
  { jsonrpc: "2.0", id: 1, result: {}, error: { code: -1, message: "m" } },
  { jsonrpc: "2.0", id: 1, method: "ping", result: {} }
]

const clientInfos: Array<unknown> = [
  { name: "n", version: "1" },
  { name: "n" },
  { version: "1" },
  { name: 1, version: "1" },
  { name: "n", version: "1", title: "t", websiteUrl: "u", description: "d", other: 1 },
  { name: "n", version: "1", title: 2 },
  { name: "n", version: "1", icons: [] },
  { name: "n", version: "1", icons: [{ src: "s" }] },
  { name: "n", version: "1", icons: [{ src: "s", mimeType: "m", sizes: ["1x1"], theme: "dark" }] },
  { name: "n", version: "1", icons: [{ src: "s", theme: "blue" }] },
  { name: "n", version: "1", icons: [{ src: "s", sizes: "1x1" }] },
  { name: "n", version: "1", icons: [{}] },
  { name: "n", version: "1", icons: {} },
  "n",
  null
]

const capabilities: Array<unknown> = [
  {},
  { other: 1 },
  { roots: {} },
  { roots: { listChanged: true } },
  { roots: { listChanged: "x" } },
  { roots: 1 },
  { sampling: {} },
  { sampling: { context: {}, tools: {} } },
  { sampling: { context: 1 } },
  { elicitation: {} },
  { elicitation: 1 },
  { tasks: {} },
  { tasks: 1 },
  { experimental: { a: {} } },
  { experimental: { a: 1 } },
  { experimental: [] },
  { extensions: { a: {} } },
  { extensions: { a: "x" } },
  null,
  []
]

const paramsOf: Record<string, Array<unknown>> = {
  initialize: [
    undefined,
    {},
    ...clientInfos.map((clientInfo) => ({ protocolVersion: "2025-06-18", capabilities: {}, clientInfo })),
    ...capabilities.map((caps) => ({ protocolVersion: "2025-06-18", capabilities: caps, clientInfo: clientInfos[0] })),
    { protocolVersion: 1, capabilities: {}, clientInfo: clientInfos[0] },
    { capabilities: {}, clientInfo: clientInfos[0] },
    { protocolVersion: "x", clientInfo: clientInfos[0] }
  ],
  ping: [undefined, {}, { a: 1 }],
  "tools/list": [undefined, {}, { cursor: "c" }, { cursor: 5 }, { cursor: null }, { other: 1 }],
  "tools/call": [
    undefined,
    {},
    { name: "t" },
    { name: 1 },
    { name: "t", arguments: {} },
    { name: "t", arguments: { a: [1] } },
    { name: "t", arguments: "x" },
    { name: "t", arguments: [] },
    { name: "t", arguments: null },
    { name: "t", task: {} },
    { name: "t", task: { ttl: 5 } },
    { name: "t", task: { ttl: "5" } },
    { name: "t", task: 1 },
    { name: "t", extra: 1 }
  ]
}

const SDK_SCHEMAS = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  "tools/list": ListToolsRequestSchema,
  "tools/call": CallToolRequestSchema
} as const

describe("JSON-RPC without the MCP SDK", () => {
  it("accepts exactly the messages the SDK's JSONRPCMessageSchema accepts", () => {
    for (const value of messages) {
      const sdk = JSONRPCMessageSchema.safeParse(value).success
      assert.strictEqual(asJsonRpcMessage(value) !== undefined, sdk, JSON.stringify(value))
    }
  })

  it("finds issues with exactly the request params the SDK's request schemas refuse", () => {
    for (const [method, list] of Object.entries(paramsOf)) {
      for (const params of list) {
        const request = { method, ...(params === undefined ? {} : { params }) }
        const sdk = SDK_SCHEMAS[method as keyof typeof SDK_SCHEMAS].safeParse(request).success
        const issues = paramsIssues(method, params)
        assert.strictEqual(issues.length === 0, sdk, `${method} ${JSON.stringify(params)}: ${issues.join("; ")}`)
      }
    }
    assert.deepStrictEqual(paramsIssues("tools/call", { arguments: 1 }), [
      "params.name: Invalid input: expected string, received undefined",
      "params.arguments: Invalid input: expected record, received number"
    ])
    assert.deepStrictEqual(paramsIssues("no/such", 1), [])
  })

  it("speaks the protocol revisions the SDK speaks, newest first", () => {
    assert.deepStrictEqual(SUPPORTED_PROTOCOL_VERSIONS, SDK_VERSIONS)
  })

  it("answers an oversized tools/call with the INVALID_ARGUMENT error renderToolError gives", () => {
    const reply = oversizedReply({
      id: 3,
      head: '{"method":"tools/call","params":{"name":"bridge_send_message"',
      bytes: 9
    })
    const message = "the request is 9 bytes, more than this server reads in one message"
    const expected = renderToolError(
      new InvalidArgument({ message, hint: "Send large content as an artifact, in parts." })
    )
    assert.deepStrictEqual(reply, {
      jsonrpc: "2.0",
      id: 3,
      result: { content: [{ type: "text", text: JSON.stringify(expected) }], isError: true }
    })
  })

  it("reads SESSION_BRIDGE_MAX_ARTIFACT_BYTES as the bridge reads it", () => {
    assert.strictEqual(DEFAULT_ARTIFACT_CAP, DEFAULT_MAX_ARTIFACT_BYTES)
    for (const raw of [undefined, "", " 2048 ", "0", "-5", "1.5", "abc", "9007199254740993", "1e3", "0x10"]) {
      const env = HostEnv.makeMemory({ env: raw === undefined ? {} : { SESSION_BRIDGE_MAX_ARTIFACT_BYTES: raw } })
      const bridge = positiveIntFromEnv(env, "SESSION_BRIDGE_MAX_ARTIFACT_BYTES", DEFAULT_MAX_ARTIFACT_BYTES)
      assert.strictEqual(artifactCap(raw), bridge, String(raw))
    }
  })
})
