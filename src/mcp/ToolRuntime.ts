import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../cloud/RemoteSendsLayer.js"
import { layerInfrastructureLongLived } from "../platform/NodeLayers.js"
import * as NodeHostEnv from "../platform/NodeHostEnv.js"
import { HostEnv } from "../services/HostEnv.js"
import type { ClientInfo } from "./ClientInfo.js"
import * as McpIdentity from "./McpIdentity.js"
import * as ToolCalls from "./ToolCalls.js"
import { tools } from "./Tools.js"

/*
 * The MCP server's tool calls and their service graph: the real process's HostEnv, then per client the
 * infrastructure (src/platform/NodeLayers.ts) and the bridge services (src/bridge/BridgeLayer.ts), built once.
 * src/mcp/main.ts loads this module at the first tools/call: initialize and tools/list never load it.
 */

/** The tool calls of this process, and how to release what they built (watchers, the store). */
export interface ToolRuntime {
  readonly call: ToolCalls.ToolCalls["call"]
  /** Interrupts the calls still running and releases the handlers' layer. */
  readonly close: () => Promise<void>
}

/** Every log line goes to stderr: stdout carries JSON-RPC only. */
const logger = Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true, colors: false }))

/** Starts the tool calls; `client` is what `initialize` said about the client, read at the first call. */
export const start = (client: () => ClientInfo | undefined): Promise<ToolRuntime> => {
  const env = NodeHostEnv.make()
  const scope = Effect.runSync(Scope.make())
  const calls = ToolCalls.make({
    tools,
    clientInfo: () => Option.fromNullable(client()),
    // Built at the first tool call. Over this process's one HostEnv, the infrastructure, then the bridge
    // services (once), then the caller's identity.
    context: (info) =>
      McpIdentity.layer(info).pipe(
        Layer.provideMerge(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))),
        Layer.provideMerge(layerInfrastructureLongLived),
        Layer.provide(Layer.succeed(HostEnv, env))
      )
  })
  return Effect.runPromise(Scope.extend(calls, scope).pipe(Effect.provide(logger))).then((made) => ({
    call: made.call,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }))
}
