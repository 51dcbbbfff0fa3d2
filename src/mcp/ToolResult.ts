import type { JsonObject } from "./JsonSchemas.js"
import type { ToolError } from "./ToolErrors.js"

/** The result of a tools/call, as MCP defines it (the fields this server sends). */
export interface CallToolResult {
  readonly [key: string]: unknown
  readonly content: ReadonlyArray<{ readonly type: "text"; readonly text: string }>
  readonly structuredContent?: JsonObject
  readonly isError?: boolean
}

/**
 * A tool's result as the client sees it: the JSON object as `structuredContent` (checked against the tool's
 * output schema by clients that know the 2025-06-18 revision) and the same JSON as one text block, for clients
 * that read only `content`.
 */
export const successResult = (json: JsonObject): CallToolResult => ({
  content: [{ type: "text", text: JSON.stringify(json) }],
  structuredContent: json
})

/**
 * A rendered error (ToolErrors.ts) as the tool result every client sees: `isError` with `{code, message, hint}` as text. It has no
 * `structuredContent`: the spec does not ask one of an error, and the SDK client checks the output schema only
 * against a result that is not an error.
 */
export const errorResult = (error: ToolError): CallToolResult => ({
  content: [{ type: "text", text: JSON.stringify({ code: error.code, message: error.message, hint: error.hint }) }],
  isError: true
})
