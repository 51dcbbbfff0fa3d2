import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../cloud/RemoteSendsLayer.js"
import { DEFAULT_MAX_ARTIFACT_BYTES, positiveIntFromEnv } from "../bridge/Limits.js"
import { layerInfrastructure } from "../platform/NodeLayers.js"
import * as NodeHostEnv from "../platform/NodeHostEnv.js"
import { NodeStdioTransport } from "../platform/NodeStdioTransport.js"
import { HostEnv } from "../services/HostEnv.js"
import { VERSION } from "../Version.js"
import * as McpIdentity from "./McpIdentity.js"
import * as McpServer from "./Server.js"
import { tools } from "./Tools.js"

/**
 * The largest JSON-RPC line read from stdin: room for a maximal artifact with any JSON/base64 overhead, so an
 * artifact over the cap reaches the handler and gets ARTIFACT_TOO_LARGE. Longer lines are skipped and answered.
 */
const maxLineBytes = (artifactCap: number) => 8 * artifactCap + 1024 * 1024

/*
 * The MCP server's composition: the real process's HostEnv, the stdio transport, and per client the
 * infrastructure (src/platform/NodeLayers.ts) and the bridge services (src/bridge/BridgeLayer.ts), built once.
 */

/** Serves until stdin ends (the host is gone) or the transport closes, then lets calls in flight finish briefly. */
const program = Effect.gen(function* () {
  const env = yield* HostEnv
  const transport = new NodeStdioTransport(process.stdin, process.stdout, {
    maxLineBytes: maxLineBytes(
      positiveIntFromEnv(env, "SESSION_BRIDGE_MAX_ARTIFACT_BYTES", DEFAULT_MAX_ARTIFACT_BYTES)
    ),
    onOversized: McpServer.oversizedReply
  })
  const serve = Effect.gen(function* () {
    const server = yield* McpServer.McpServer
    yield* Effect.raceFirst(
      server.closed,
      Effect.promise(() => transport.inputEnded)
    )
    yield* server.drain
    // Let the replies of calls that just finished reach stdout before the transport closes.
    yield* Effect.sleep(0)
  })
  yield* serve.pipe(
    Effect.provide(
      McpServer.layer({
        name: "session-bridge",
        version: VERSION,
        tools,
        // Built at the first tool call: spawn → tools/list never touches the home. Over this process's one
        // HostEnv, the infrastructure, then the bridge services (once), then the caller's identity.
        context: (client) =>
          McpIdentity.layer(client).pipe(
            Layer.provideMerge(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))),
            Layer.provideMerge(layerInfrastructure),
            Layer.provide(Layer.succeed(HostEnv, env))
          ),
        transport
      })
    )
  )
}).pipe(Effect.provide(NodeHostEnv.layer))

/** `session-bridge mcp`: stdout carries JSON-RPC only; every log line goes to stderr. */
export const main = (): void =>
  NodeRuntime.runMain(
    program.pipe(
      Effect.tapErrorCause((cause) => (Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError(cause))),
      Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true, colors: false })))
    ),
    {
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) => {
        const code = Exit.isSuccess(exit) ? 0 : Cause.isInterruptedOnly(exit.cause) ? 130 : 1
        // Exit now: a watcher or timer left by a cancelled call must not keep a finished server alive.
        onExit(code)
        process.exit(code)
      }
    }
  )
