import { INVALID_REQUEST, type JsonRpcId, type JsonRpcMessage } from "../domain/JsonRpc.js"
import type { ToolError } from "./ToolErrors.js"
import { errorResult } from "./ToolResult.js"

/**
 * The answer to a request too large to read: an isError tool result for a tools/call (ARTIFACT_TOO_LARGE when
 * it posts an artifact), a JSON-RPC error for anything else; nothing for a notification. Plain values: the
 * transport may need it before the first tool call loaded the domain (the INVALID_ARGUMENT error is the one
 * renderToolError gives for this InvalidArgument; test/mcp/serverStdioTransport.test.ts holds them equal).
 */
export const oversizedReply = (line: {
  readonly id: JsonRpcId | undefined
  readonly head: string
  readonly bytes: number
}): JsonRpcMessage | undefined => {
  if (line.id === undefined) return undefined
  const message = `the request is ${line.bytes} bytes, more than this server reads in one message`
  if (!line.head.includes('"tools/call"'))
    return { jsonrpc: "2.0", id: line.id, error: { code: INVALID_REQUEST, message } }
  const error: ToolError = line.head.includes('"bridge_post_artifact"')
    ? {
        code: "ARTIFACT_TOO_LARGE",
        message,
        hint: "Split the content; artifacts are capped by SESSION_BRIDGE_MAX_ARTIFACT_BYTES."
      }
    : { code: "INVALID_ARGUMENT", message, hint: "Send large content as an artifact, in parts." }
  return { jsonrpc: "2.0", id: line.id, result: errorResult(error) }
}
