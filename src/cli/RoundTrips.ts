import * as PlatformCommand from "@effect/platform/Command"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Finding } from "../providers/Provider.js"
import { HostEnv } from "../services/HostEnv.js"

export interface Check extends Finding {
  readonly area: string
}

export const check = (area: string, f: Finding): Check => ({ area, ...f })

/** Spawns our own MCP server on a scratch home and lists its tools through the MCP SDK client. */
const mcpRoundTrip = (scratch: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
    const tools = yield* Effect.acquireUseRelease(
      Effect.tryPromise(async () => {
        const { Client } = await import("@modelcontextprotocol/sdk/client/index.js")
        const { StdioClientTransport, getDefaultEnvironment } =
          await import("@modelcontextprotocol/sdk/client/stdio.js")
        const client = new Client({ name: "session-bridge-doctor", version: "1" })
        const transport = new StdioClientTransport({
          command: env.execPath,
          args: [env.entryPath, "mcp"],
          env: { ...getDefaultEnvironment(), SESSION_BRIDGE_HOME: scratch },
          stderr: "ignore"
        })
        await client.connect(transport)
        return client
      }),
      (client) => Effect.tryPromise(() => client.listTools()),
      (client) => Effect.promise(() => client.close().catch(() => undefined))
    ).pipe(Effect.timeout(Duration.seconds(20)))
    const ms = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - started
    return { tools: tools.tools.map((t) => t.name), ms }
  })

const SAMPLE_PROMPT = JSON.stringify({
  session_id: "00000000-0000-4000-8000-00000000d0c7",
  cwd: "/",
  hook_event_name: "UserPromptSubmit",
  prompt: "session-bridge doctor"
})

/** Runs the Claude Code prompt hook once on a scratch home, as the host would. */
const hookRoundTrip = (scratch: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
    const cmd = PlatformCommand.make(
      env.execPath,
      env.entryPath,
      "hook",
      "UserPromptSubmit",
      "--provider",
      "claude-code"
    ).pipe(PlatformCommand.env({ SESSION_BRIDGE_HOME: scratch }), PlatformCommand.feed(SAMPLE_PROMPT))
    const { code, stdout } = yield* Effect.scoped(
      Effect.gen(function* () {
        const proc = yield* PlatformCommand.start(cmd)
        const [stdout, code] = yield* Effect.all([Stream.mkString(Stream.decodeText(proc.stdout)), proc.exitCode], {
          concurrency: 2
        })
        return { code, stdout }
      })
    ).pipe(Effect.timeout(Duration.seconds(15)))
    const ms = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - started
    const text = stdout.trim()
    const parsed = text === "" || Option.isSome(Option.liftThrowable(JSON.parse)(text))
    return { code, ms, parsed }
  })

/** The MCP server's tools/list round trip on `scratch`. */
export const mcpCheck = (scratch: string) =>
  Effect.gen(function* () {
    const mcp = yield* Effect.either(mcpRoundTrip(scratch))
    return mcp._tag === "Right" && mcp.right.tools.length > 0
      ? check("mcp", {
          level: "ok",
          message: `server answered in ${mcp.right.ms} ms with ${mcp.right.tools.length} tools`
        })
      : check("mcp", {
          level: "error",
          message: `the MCP server did not answer tools/list: ${mcp._tag === "Left" ? String(mcp.left) : "no tools"}`,
          remedy: "Run `session-bridge mcp` by hand to see its error; reinstall if dist/ is missing."
        })
  })

/** This install's own hook on `scratch`, for when no host has one installed to try. */
export const ownHookCheck = (scratch: string) =>
  Effect.gen(function* () {
    const hook = yield* Effect.either(hookRoundTrip(scratch))
    return hook._tag === "Right" && hook.right.code === 0 && hook.right.parsed
      ? check("hook", { level: "ok", message: `UserPromptSubmit round trip in ${hook.right.ms} ms, exit 0` })
      : check("hook", {
          level: "error",
          message: `the hook round trip failed: ${hook._tag === "Left" ? String(hook.left) : `exit ${hook.right.code}${hook.right.parsed ? "" : ", stdout not JSON"}`}`,
          remedy:
            "Run `echo '{}' | SESSION_BRIDGE_DEBUG=1 session-bridge hook UserPromptSubmit --provider claude-code` to see why."
        })
  })
