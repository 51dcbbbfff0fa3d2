import {
  INVALID_PARAMS,
  isObject,
  type JsonRpcErrorResponse,
  type JsonRpcMessage,
  metaIssue
} from "../domain/JsonRpc.js"

/*
 * The params of the requests this server answers, checked before they are served: what the MCP SDK's request
 * schemas (InitializeRequestSchema, PingRequestSchema, ListToolsRequestSchema, CallToolRequestSchema) accept,
 * written out as plain checks. Each check gives the issues found, as `path: what was expected`.
 */

type Fields = { readonly [key: string]: unknown }
type Issues = Array<string>

const typeName = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value)

const expect = (issues: Issues, path: string, value: unknown, what: string, ok: boolean): void => {
  if (!ok) issues.push(`${path}: Invalid input: expected ${what}, received ${typeName(value)}`)
}

const optional = (issues: Issues, path: string, value: unknown, what: string, ok: (v: unknown) => boolean): void => {
  if (value !== undefined) expect(issues, path, value, what, ok(value))
}

const isString = (v: unknown): boolean => typeof v === "string"

/** A record whose values are all objects (`experimental`, `extensions`). */
const isRecordOfObjects = (v: unknown): boolean => isObject(v) && Object.values(v).every(isObject)

const checkMeta = (issues: Issues, params: Fields): void => {
  const issue = metaIssue(params["_meta"])
  if (issue !== undefined) issues.push(`params.${issue}`)
}

const checkCapabilities = (issues: Issues, caps: Fields): void => {
  optional(issues, "params.capabilities.experimental", caps["experimental"], "a record of objects", isRecordOfObjects)
  optional(issues, "params.capabilities.extensions", caps["extensions"], "a record of objects", isRecordOfObjects)
  for (const key of ["elicitation", "tasks"])
    optional(issues, `params.capabilities.${key}`, caps[key], "object", isObject)
  const sampling = caps["sampling"]
  optional(issues, "params.capabilities.sampling", sampling, "object", isObject)
  if (isObject(sampling))
    for (const key of ["context", "tools"])
      optional(issues, `params.capabilities.sampling.${key}`, sampling[key], "object", isObject)
  const roots = caps["roots"]
  optional(issues, "params.capabilities.roots", roots, "object", isObject)
  if (isObject(roots))
    optional(
      issues,
      "params.capabilities.roots.listChanged",
      roots["listChanged"],
      "boolean",
      (v) => typeof v === "boolean"
    )
}

const checkIcon = (issues: Issues, path: string, icon: unknown): void => {
  expect(issues, path, icon, "object", isObject(icon))
  if (!isObject(icon)) return
  expect(issues, `${path}.src`, icon["src"], "string", isString(icon["src"]))
  optional(issues, `${path}.mimeType`, icon["mimeType"], "string", isString)
  optional(issues, `${path}.sizes`, icon["sizes"], "array of strings", (v) => Array.isArray(v) && v.every(isString))
  optional(issues, `${path}.theme`, icon["theme"], '"light" or "dark"', (v) => v === "light" || v === "dark")
}

const checkClientInfo = (issues: Issues, info: unknown): void => {
  expect(issues, "params.clientInfo", info, "object", isObject(info))
  if (!isObject(info)) return
  expect(issues, "params.clientInfo.name", info["name"], "string", isString(info["name"]))
  expect(issues, "params.clientInfo.version", info["version"], "string", isString(info["version"]))
  for (const key of ["title", "websiteUrl", "description"])
    optional(issues, `params.clientInfo.${key}`, info[key], "string", isString)
  const icons = info["icons"]
  optional(issues, "params.clientInfo.icons", icons, "array", Array.isArray)
  if (Array.isArray(icons)) icons.forEach((icon, i) => checkIcon(issues, `params.clientInfo.icons.${i}`, icon))
}

const initialize = (issues: Issues, params: Fields): void => {
  expect(issues, "params.protocolVersion", params["protocolVersion"], "string", isString(params["protocolVersion"]))
  const caps = params["capabilities"]
  expect(issues, "params.capabilities", caps, "object", isObject(caps))
  if (isObject(caps)) checkCapabilities(issues, caps)
  checkClientInfo(issues, params["clientInfo"])
}

const toolsList = (issues: Issues, params: Fields): void =>
  optional(issues, "params.cursor", params["cursor"], "string", isString)

const toolsCall = (issues: Issues, params: Fields): void => {
  expect(issues, "params.name", params["name"], "string", isString(params["name"]))
  optional(issues, "params.arguments", params["arguments"], "record", isObject)
  const task = params["task"]
  optional(issues, "params.task", task, "object", isObject)
  if (isObject(task)) optional(issues, "params.task.ttl", task["ttl"], "number", (v) => typeof v === "number")
}

/** Per method: whether `params` is required, and the checks of its fields. */
const CHECKS: { readonly [method: string]: readonly [required: boolean, check: (i: Issues, p: Fields) => void] } = {
  initialize: [true, initialize],
  ping: [false, () => undefined],
  "tools/list": [false, toolsList],
  "tools/call": [true, toolsCall]
}

/** The issues with a request's params (at most five), or an empty list when they fit its method. */
export const paramsIssues = (method: string, params: unknown): ReadonlyArray<string> => {
  const entry = CHECKS[method]
  if (entry === undefined) return []
  const [required, check] = entry
  const issues: Issues = []
  if (params === undefined && !required) return issues
  expect(issues, "params", params, "object", isObject(params))
  if (isObject(params)) {
    checkMeta(issues, params)
    check(issues, params)
  }
  return issues.slice(0, 5)
}

/**
 * The JSON-RPC `-32602 Invalid params` reply for a request whose params do not fit its method (e.g. a
 * tools/call without a name, or with arguments that are not an object); undefined for anything else.
 */
export const invalidParamsReply = (message: JsonRpcMessage): JsonRpcErrorResponse | undefined => {
  if (!("method" in message) || !("id" in message)) return undefined
  const issues = paramsIssues(message.method, message.params)
  if (issues.length === 0) return undefined
  return {
    jsonrpc: "2.0",
    id: message.id,
    error: { code: INVALID_PARAMS, message: `invalid params for ${message.method}: ${issues.join("; ")}` }
  }
}
