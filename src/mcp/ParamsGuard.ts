import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  PingRequestSchema
} from "@modelcontextprotocol/sdk/types.js"

interface Issue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}
interface RequestSchema {
  readonly safeParse: (
    value: unknown
  ) => { readonly success: true } | { readonly success: false; readonly error: { readonly issues: Array<Issue> } }
}

/** The requests this server answers, by method: their params are checked before the SDK sees them. */
const SCHEMAS: Record<string, RequestSchema> = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  "tools/list": ListToolsRequestSchema,
  "tools/call": CallToolRequestSchema
}

const describe = (issues: ReadonlyArray<Issue>): string =>
  issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ")

/**
 * The JSON-RPC `-32602 Invalid params` reply for a request whose params do not fit its method (e.g. a
 * tools/call without a name, or with arguments that are not an object); undefined for anything else.
 * The SDK would answer these with `-32603 Internal error`.
 */
export const invalidParamsReply = (message: JSONRPCMessage): JSONRPCMessage | undefined => {
  if (!("method" in message) || !("id" in message)) return undefined
  const parsed = SCHEMAS[message.method]?.safeParse(message)
  if (parsed === undefined || parsed.success) return undefined
  return {
    jsonrpc: "2.0",
    id: message.id,
    error: {
      code: ErrorCode.InvalidParams,
      message: `invalid params for ${message.method}: ${describe(parsed.error.issues)}`
    }
  }
}

/** A transport that answers requests with invalid params itself and passes every other message on. */
export class ParamsGuard implements Transport {
  onclose?: (() => void) | undefined
  onerror?: ((error: Error) => void) | undefined
  onmessage?: ((message: JSONRPCMessage) => void) | undefined

  constructor(private readonly inner: Transport) {}

  start(): Promise<void> {
    this.inner.onmessage = (message) => {
      const reply = invalidParamsReply(message)
      if (reply === undefined) this.onmessage?.(message)
      else void this.inner.send(reply)
    }
    this.inner.onclose = () => this.onclose?.()
    this.inner.onerror = (error) => this.onerror?.(error)
    return this.inner.start()
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
