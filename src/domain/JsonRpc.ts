/**
 * JSON-RPC 2.0 as MCP frames it: the four message kinds, the error codes, and the one check every line read from
 * a client passes. Plain functions over plain values, so the MCP server answers `initialize` and `tools/list`
 * without loading a schema library (docs/adr/0037-mcp-server-loads-per-request.md). The check accepts exactly
 * what the MCP SDK's `JSONRPCMessageSchema` accepts: strict objects, ids that are strings or safe integers,
 * `params` an object whose `_meta` (when present) holds a string or integer `progressToken`.
 */

export type JsonRpcId = string | number
export type JsonRpcParams = { readonly [key: string]: unknown }

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0"
  readonly id: JsonRpcId
  readonly method: string
  readonly params?: JsonRpcParams
}

export interface JsonRpcNotification {
  readonly jsonrpc: "2.0"
  readonly method: string
  readonly params?: JsonRpcParams
}

export interface JsonRpcResultResponse {
  readonly jsonrpc: "2.0"
  readonly id: JsonRpcId
  readonly result: JsonRpcParams
}

export interface JsonRpcErrorResponse {
  readonly jsonrpc: "2.0"
  readonly id?: JsonRpcId
  readonly error: { readonly code: number; readonly message: string; readonly data?: unknown }
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResultResponse | JsonRpcErrorResponse

/** The error codes of JSON-RPC 2.0 this server sends. */
export const PARSE_ERROR = -32700
export const INVALID_REQUEST = -32600
export const METHOD_NOT_FOUND = -32601
export const INVALID_PARAMS = -32602
export const INTERNAL_ERROR = -32603

/** A message channel to one client (the shape of the MCP SDK's transports, so its in-memory transport fits). */
export interface JsonRpcTransport {
  onclose?: (() => void) | undefined
  onerror?: ((error: Error) => void) | undefined
  onmessage?: ((message: JsonRpcMessage) => void) | undefined
  start(): Promise<void>
  send(message: JsonRpcMessage): Promise<void>
  close(): Promise<void>
}

export const isObject = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const isId = (value: unknown): value is JsonRpcId =>
  typeof value === "string" || (typeof value === "number" && Number.isSafeInteger(value))

const RELATED_TASK = "io.modelcontextprotocol/related-task"

/** `_meta` as requests, notifications and results may carry it: the fields MCP defines, any others passed on. */
export const metaIssue = (meta: unknown): string | undefined => {
  if (meta === undefined) return undefined
  if (!isObject(meta)) return "_meta: expected an object"
  if (meta["progressToken"] !== undefined && !isId(meta["progressToken"]))
    return "_meta.progressToken: expected a string or an integer"
  const related = meta[RELATED_TASK]
  if (related !== undefined && !(isObject(related) && typeof related["taskId"] === "string"))
    return `_meta.${RELATED_TASK}.taskId: expected a string`
  return undefined
}

const onlyKeys = (value: { readonly [key: string]: unknown }, allowed: ReadonlyArray<string>): boolean =>
  Object.keys(value).every((key) => allowed.includes(key))

const paramsFit = (params: unknown): boolean =>
  params === undefined || (isObject(params) && metaIssue(params["_meta"]) === undefined)

const isRequest = (m: { readonly [key: string]: unknown }): boolean =>
  onlyKeys(m, ["jsonrpc", "id", "method", "params"]) &&
  isId(m["id"]) &&
  typeof m["method"] === "string" &&
  paramsFit(m["params"])

const isNotification = (m: { readonly [key: string]: unknown }): boolean =>
  onlyKeys(m, ["jsonrpc", "method", "params"]) && typeof m["method"] === "string" && paramsFit(m["params"])

const isResult = (m: { readonly [key: string]: unknown }): boolean =>
  onlyKeys(m, ["jsonrpc", "id", "result"]) &&
  isId(m["id"]) &&
  isObject(m["result"]) &&
  metaIssue(m["result"]["_meta"]) === undefined

const isError = (m: { readonly [key: string]: unknown }): boolean => {
  const error = m["error"]
  return (
    onlyKeys(m, ["jsonrpc", "id", "error"]) &&
    (m["id"] === undefined || isId(m["id"])) &&
    isObject(error) &&
    typeof error["code"] === "number" &&
    Number.isSafeInteger(error["code"]) &&
    typeof error["message"] === "string"
  )
}

/** The message a parsed JSON value is, or undefined when it is not a JSON-RPC 2.0 message. */
export const asJsonRpcMessage = (json: unknown): JsonRpcMessage | undefined => {
  if (!isObject(json) || json["jsonrpc"] !== "2.0") return undefined
  const fits = isRequest(json) || isNotification(json) || isResult(json) || isError(json)
  return fits ? (json as unknown as JsonRpcMessage) : undefined
}

export const isRequestMessage = (m: JsonRpcMessage): m is JsonRpcRequest => "method" in m && "id" in m
export const isNotificationMessage = (m: JsonRpcMessage): m is JsonRpcNotification => "method" in m && !("id" in m)
