import {
  INTERNAL_ERROR,
  INVALID_PARAMS,
  isId,
  isNotificationMessage,
  isObject,
  isRequestMessage,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcTransport,
  METHOD_NOT_FOUND
} from "../domain/JsonRpc.js"
import type { ClientInfo } from "./ClientInfo.js"
import { invalidParamsReply } from "./ParamsGuard.js"
import type { CallToolResult } from "./ToolResult.js"

/** The protocol revisions this server speaks, newest first (the MCP SDK's SUPPORTED_PROTOCOL_VERSIONS). */
export const SUPPORTED_PROTOCOL_VERSIONS: ReadonlyArray<string> = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07"
]

/** The requests this server answers. */
const METHODS: ReadonlyArray<string> = ["initialize", "ping", "tools/list", "tools/call"]

export interface McpConnectionOptions {
  readonly name: string
  readonly version: string
  /** The tools of tools/list, as sent. */
  readonly listTools: () => ReadonlyArray<unknown>
  readonly hasTool: (name: string) => boolean
  /** Runs one call; `signal` aborts when the client cancels it or goes away. Settles with the result to send. */
  readonly callTool: (name: string, args: unknown, signal: AbortSignal) => Promise<CallToolResult>
  readonly transport: JsonRpcTransport
  /** Where transport problems (a line that was not JSON-RPC, a failed write) are reported. */
  readonly warn: (message: string) => void
}

/** A failure a request handler reports as a JSON-RPC error. */
class RequestError {
  constructor(
    readonly code: number,
    readonly message: string
  ) {}
}

/**
 * One MCP client over one transport, answered the way the MCP SDK's `Server` answers it (replies shaped and
 * ordered as it sends them: `{result, jsonrpc, id}`), without the SDK: `initialize` (the client's revision when
 * this server speaks it, else the newest), `ping`, `tools/list`, `tools/call`, `notifications/cancelled`; any
 * other method is -32601. Requests whose params do not fit are -32602 (src/mcp/ParamsGuard.ts).
 */
export class McpConnection {
  private client: ClientInfo | undefined
  private readonly calls = new Map<JsonRpcId, AbortController>()
  private inFlight = 0
  private idle: Array<() => void> = []
  private markClosed: () => void = () => undefined
  /** Resolves when the transport closed. */
  readonly closed: Promise<void> = new Promise((resolve) => (this.markClosed = resolve))

  constructor(private readonly options: McpConnectionOptions) {}

  /** What `initialize` said about the client (name and version), once it was received. */
  clientInfo(): ClientInfo | undefined {
    return this.client
  }

  start(): Promise<void> {
    const transport = this.options.transport
    transport.onmessage = (message) => this.receive(message)
    transport.onerror = (error) => this.options.warn(`mcp transport: ${error.message}`)
    transport.onclose = () => {
      for (const controller of this.calls.values()) controller.abort()
      this.calls.clear()
      this.markClosed()
    }
    return transport.start()
  }

  close(): Promise<void> {
    return this.options.transport.close()
  }

  /** Resolves when no tools/call is running (at once when none is). */
  settled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve))
  }

  private send(message: JsonRpcMessage): void {
    this.options.transport
      .send(message)
      .catch((error: unknown) => this.options.warn(`mcp transport: failed to send a reply: ${String(error)}`))
  }

  private receive(message: JsonRpcMessage): void {
    const invalid = invalidParamsReply(message)
    if (invalid !== undefined) return this.send(invalid)
    if (isRequestMessage(message)) return this.request(message)
    if (isNotificationMessage(message)) {
      const params = message.params
      if (message.method === "notifications/cancelled" && isObject(params) && isId(params["requestId"]))
        this.calls.get(params["requestId"])?.abort()
      return
    }
    // This server sends no requests, so no response can be for one of ours.
    this.options.warn(`mcp transport: Received a response for an unknown message ID: ${JSON.stringify(message)}`)
  }

  private request(request: JsonRpcRequest): void {
    const params = request.params ?? {}
    if (!METHODS.includes(request.method))
      return this.fail(request.id, new RequestError(METHOD_NOT_FOUND, "Method not found"))
    // Tasks (the 2025-11-25 revision) are not offered: a request asking for one is refused as the SDK refuses it.
    if (isObject(params["task"]))
      return this.fail(
        request.id,
        new RequestError(INTERNAL_ERROR, `Server does not support task creation (required for ${request.method})`)
      )
    switch (request.method) {
      case "initialize":
        return this.reply(request.id, this.initialize(params))
      case "ping":
        return this.reply(request.id, {})
      case "tools/list":
        return this.reply(request.id, { tools: this.options.listTools() })
      default:
        return this.call(request.id, params)
    }
  }

  private initialize(params: { readonly [key: string]: unknown }): { readonly [key: string]: unknown } {
    const info = params["clientInfo"] as ClientInfo
    this.client = { name: info.name, version: info.version }
    const requested = params["protocolVersion"] as string
    return {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : SUPPORTED_PROTOCOL_VERSIONS[0],
      capabilities: { tools: {} },
      serverInfo: { name: this.options.name, version: this.options.version }
    }
  }

  private call(id: JsonRpcId, params: { readonly [key: string]: unknown }): void {
    const name = params["name"] as string
    // A tool that does not exist is a protocol error (JSON-RPC -32602), not a tool's error result.
    if (!this.options.hasTool(name))
      return this.fail(
        id,
        new RequestError(
          INVALID_PARAMS,
          // Worded as the SDK's McpError words it.
          `MCP error ${INVALID_PARAMS}: unknown tool ${JSON.stringify(name)}; tools/list gives the tools this server offers`
        )
      )
    const controller = new AbortController()
    this.calls.set(id, controller)
    this.inFlight++
    this.options
      .callTool(name, params["arguments"], controller.signal)
      .then(
        (result) => (controller.signal.aborted ? undefined : this.reply(id, result)),
        (error: unknown) =>
          controller.signal.aborted
            ? undefined
            : this.fail(id, new RequestError(INTERNAL_ERROR, error instanceof Error ? error.message : String(error)))
      )
      .finally(() => {
        if (this.calls.get(id) === controller) this.calls.delete(id)
        if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve()
      })
  }

  private reply(id: JsonRpcId, result: { readonly [key: string]: unknown }): void {
    // The key order the SDK sends.
    this.send({ result, jsonrpc: "2.0", id } as JsonRpcMessage)
  }

  private fail(id: JsonRpcId, error: RequestError): void {
    this.send({ jsonrpc: "2.0", id, error: { code: error.code, message: error.message } })
  }
}
