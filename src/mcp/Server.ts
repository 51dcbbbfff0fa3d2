import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type { JsonRpcTransport } from "../domain/JsonRpc.js"
import type { ClientInfo } from "./ClientInfo.js"
import { McpConnection } from "./McpConnection.js"
import * as ToolCalls from "./ToolCalls.js"
import type { AnyToolDef } from "./ToolDef.js"
import { listedTool, type ListedTool } from "./ToolListing.js"

export { oversizedReply } from "./OversizedReply.js"

export interface McpServerOptions<R, E> {
  readonly name: string
  readonly version: string
  readonly tools: ReadonlyArray<AnyToolDef<R>>
  /**
   * What the handlers run on. Built once, at the first tool call (initialize and tools/list never pay for it),
   * with what `initialize` said about the client; a failed build is retried at the next call.
   */
  readonly context: (client: Option.Option<ClientInfo>) => Layer.Layer<R, E>
  readonly transport: JsonRpcTransport
  /** How long tool calls still running when the client goes away may take to finish. */
  readonly drainMillis?: number
}

/** A connected MCP server. `closed` completes when the client closes the transport. */
export class McpServer extends Context.Tag("session-bridge/McpServer")<
  McpServer,
  {
    readonly closed: Effect.Effect<void>
    /** Waits (up to the drain budget) for tool calls in flight, e.g. after stdin reached EOF. */
    readonly drain: Effect.Effect<void>
  }
>() {}

/**
 * An MCP server as one scoped service (src/mcp/McpConnection.ts over the transport, the calls run by
 * src/mcp/ToolCalls.ts): connected when built; on release the connection closed, calls in flight interrupted
 * and the handlers' layer released, in that order.
 */
export const make = <R, E>(options: McpServerOptions<R, E>) =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<void>()
    let connection: McpConnection | undefined
    const calls = yield* ToolCalls.make({
      tools: options.tools,
      context: options.context,
      clientInfo: () => Option.fromNullable(connection?.clientInfo()),
      ...(options.drainMillis !== undefined ? { drainMillis: options.drainMillis } : {})
    })
    const byName = new Set(options.tools.map((t) => t.name))
    let listed: ReadonlyArray<ListedTool> | undefined
    const runtime = yield* Effect.runtime<never>()
    const conn = new McpConnection({
      name: options.name,
      version: options.version,
      listTools: () => (listed ??= options.tools.map(listedTool)),
      hasTool: (name) => byName.has(name),
      callTool: calls.call,
      transport: options.transport,
      warn: (message) => Runtime.runFork(runtime)(Effect.logWarning(message))
    })
    connection = conn
    void conn.closed.then(() => Deferred.unsafeDone(closed, Exit.void))
    yield* Effect.acquireRelease(
      Effect.promise(() => conn.start()),
      () => Effect.promise(() => conn.close().catch(() => undefined))
    )
    return McpServer.of({ closed: Deferred.await(closed), drain: calls.drain })
  })

/** The server as a scoped layer: connected when built, closed when released. */
export const layer = <R, E>(options: McpServerOptions<R, E>): Layer.Layer<McpServer> =>
  Layer.scoped(McpServer, make(options))
