import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Cause, Effect, Exit, Layer, Logger } from "effect"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import { InfraLayer } from "../platform/NodeLayers.js"
import { VERSION } from "../Version.js"
import * as McpIdentity from "./McpIdentity.js"
import * as McpServer from "./Server.js"
import { tools } from "./Tools.js"

/** Completes when stdin reaches EOF or closes: the host is gone (the SDK transport never notices). */
const stdinEnded = Effect.async<void>((resume) => {
  const done = () => resume(Effect.void)
  process.stdin.once("end", done)
  process.stdin.once("close", done)
  return Effect.sync(() => {
    process.stdin.off("end", done)
    process.stdin.off("close", done)
  })
})

const ServerLayer = McpServer.layer({
  name: "session-bridge",
  version: VERSION,
  tools,
  // Built at the first tool call: spawn → tools/list never touches the home.
  context: (client) => McpIdentity.layer(client).pipe(Layer.provideMerge(BridgeLayer), Layer.provideMerge(InfraLayer)),
  transport: new StdioServerTransport()
})

/** Serves until the client closes the transport or stdin ends, then lets calls in flight finish briefly. */
const program = Effect.gen(function* () {
  const server = yield* McpServer.McpServer
  yield* Effect.raceFirst(server.closed, stdinEnded)
  yield* server.drain
}).pipe(Effect.provide(ServerLayer))

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
