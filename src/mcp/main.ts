import { VERSION } from "../Version.js"
import * as NodeMcpProcess from "../platform/NodeMcpProcess.js"
import { type LoadedTools, loadTools } from "../platform/ToolsBoot.js"
import { listedTools } from "./ListedTools.js"
import { McpConnection } from "./McpConnection.js"
import { oversizedReply } from "./OversizedReply.js"
import type * as ToolRuntimeModule from "./ToolRuntime.js"
import type { ToolRuntime } from "./ToolRuntime.js"

/*
 * `session-bridge mcp`: stdout carries JSON-RPC only; every log line goes to stderr. What runs before the first
 * tools/call loads no effect, no schema library and no tool: the tools/list answer is a literal in the bundle
 * (src/mcp/ListedTools.ts), and the tool calls with their service graph (src/mcp/ToolRuntime.ts) are loaded at
 * the first call (docs/adr/0037-mcp-server-loads-per-request.md), from a bundle of their own through V8's code
 * cache (src/platform/ToolsBoot.ts, docs/adr/0062-tool-calls-through-a-code-cache.md).
 */

/** How long tool calls still running when stdin ends may take to finish and send their answers. */
const DRAIN_MILLIS = 2000

/**
 * Serves until stdin ends (the host is gone) or the transport closes, then lets calls in flight finish briefly.
 * `toolsBundle` is the tool calls' bundle (dist/mcp/tools.cjs): this module runs from dist/mcp/server.cjs (the
 * launcher's way) or from a chunk of the ES module entry (dist/bin.js), which each name it.
 */
export const main = (toolsBundle: string | URL): void => {
  const tools = listedTools()
  const names = new Set(tools.map((t) => t.name))
  let runtime: Promise<ToolRuntime> | undefined
  let loaded: LoadedTools<typeof ToolRuntimeModule> | undefined
  // Loaded once; a failed load (a missing bundle) is that call's error and is tried again at the next call.
  const loadRuntime = (): Promise<ToolRuntime> =>
    (runtime ??= Promise.resolve()
      .then(NodeMcpProcess.tuneV8ForToolCalls)
      .then(() => {
        loaded ??= loadTools<typeof ToolRuntimeModule>(
          typeof toolsBundle === "string" ? toolsBundle : NodeMcpProcess.pathOf(toolsBundle)
        )
        NodeMcpProcess.debug(`tool calls loaded; code cache: ${loaded.cache}`)
        return loaded.exports.start(() => connection.clientInfo())
      })
      .catch((error: unknown) => {
        runtime = undefined
        throw error
      }))
  const transport = NodeMcpProcess.stdioTransport(oversizedReply)
  const connection: McpConnection = new McpConnection({
    name: "session-bridge",
    version: VERSION,
    listTools: () => tools,
    hasTool: (name) => names.has(name),
    // The loader hears of every call: it writes the code cache once the server is idle.
    callTool: (name, args, signal) =>
      loadRuntime().then((r) => {
        loaded?.started(name)
        return r.call(name, args, signal).finally(() => loaded?.ended())
      }),
    transport,
    warn: NodeMcpProcess.warn
  })

  /** Releases what the tool calls built, for at most `millis`, then exits with `code`. */
  const finish = (code: number, millis: number): Promise<never> =>
    Promise.race([
      Promise.all([connection.close().catch(() => undefined), runtime?.then((r) => r.close()).catch(() => undefined)]),
      NodeMcpProcess.sleep(millis)
    ]).then(() => NodeMcpProcess.exit(code))

  NodeMcpProcess.onStopSignal(() => void finish(130, 500))
  connection.start().then(
    () =>
      Promise.race([connection.closed, transport.inputEnded])
        .then(() => Promise.race([connection.settled(), NodeMcpProcess.sleep(DRAIN_MILLIS)]))
        // Let the replies of calls that just finished reach stdout before the transport closes.
        .then(() => NodeMcpProcess.sleep(0))
        .then(() => finish(0, DRAIN_MILLIS)),
    (error: unknown) => {
      NodeMcpProcess.warn(`mcp: could not start: ${String(error)}`)
      return finish(1, 0)
    }
  )
}
