import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { isDeepStrictEqual } from "node:util"
import { CROCKFORD, encodeTime } from "../../src/domain/Ulid.js"
import { BIN } from "./build.js"

/** A tool result, decoded: the JSON a tool returned, or the `{code, message, hint}` of an `isError` result. */
export type ToolOutcome =
  | { readonly ok: true; readonly value: any }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly hint: string } }

/**
 * Decodes a tool result, and throws unless it has the shape every tool result has: a success's
 * structuredContent is its text block's JSON, an error carries none.
 */
export const decodeResult = (result: CallToolResult): ToolOutcome => {
  const first = result.content[0]
  const text = first?.type === "text" ? first.text : ""
  const json = JSON.parse(text)
  if (result.isError === true) {
    if (result.structuredContent !== undefined) throw new Error(`an error result with structuredContent: ${text}`)
    return { ok: false, error: json }
  }
  if (!isDeepStrictEqual(result.structuredContent, json))
    throw new Error(`structuredContent is not the text block's JSON: ${JSON.stringify(result.structuredContent)}`)
  return { ok: true, value: json }
}

/** An MCP client connected to one server (tools already listed), with helpers that decode tool results. */
export interface McpHandle {
  readonly client: Client
  /** Calls a tool and decodes its result. */
  readonly call: (
    name: string,
    args?: Record<string, unknown>,
    options?: { timeoutMs?: number }
  ) => Promise<ToolOutcome>
  /** Calls a tool that must succeed and returns its JSON; throws with the error code otherwise. */
  readonly ok: (name: string, args?: Record<string, unknown>, options?: { timeoutMs?: number }) => Promise<any>
  /** Calls a tool that must fail and returns its error code; throws if it succeeded. */
  readonly errorCode: (name: string, args?: Record<string, unknown>) => Promise<string>
  /** Everything the server wrote to stderr so far (spawned servers only). */
  readonly stderr: () => string
  /** Transport errors seen by the client, e.g. a stdout line that was not JSON-RPC. */
  readonly transportErrors: ReadonlyArray<Error>
  readonly pid: number | null
  readonly close: () => Promise<void>
}

export const connect = async (
  transport: Transport,
  options: { clientName?: string | undefined; stderr?: () => string; pid?: () => number | null } = {}
): Promise<McpHandle> => {
  const client = new Client({ name: options.clientName ?? "session-bridge-test", version: "1.0.0" })
  const transportErrors: Array<Error> = []
  client.onerror = (error) => void transportErrors.push(error)
  await client.connect(transport)
  // The SDK client checks a tool's results against its output schema once it has listed the tools.
  await client.listTools()
  const call = async (name: string, args: Record<string, unknown> = {}, opts: { timeoutMs?: number } = {}) =>
    decodeResult(
      (await client.callTool({ name, arguments: args }, undefined, {
        timeout: opts.timeoutMs ?? 60_000
      })) as CallToolResult
    )
  return {
    client,
    call,
    ok: async (name, args, opts) => {
      const r = await call(name, args, opts)
      if (!r.ok) throw new Error(`${name} failed: ${r.error.code}: ${r.error.message}`)
      return r.value
    },
    errorCode: async (name, args) => {
      const r = await call(name, args)
      if (r.ok) throw new Error(`${name} succeeded but was expected to fail: ${JSON.stringify(r.value)}`)
      return r.error.code
    },
    stderr: options.stderr ?? (() => ""),
    transportErrors,
    get pid() {
      return options.pid?.() ?? null
    },
    close: () => client.close()
  }
}

export interface SpawnOptions {
  readonly home: string
  readonly sessionId?: string
  readonly label?: string
  readonly cwd?: string
  readonly clientName?: string
  readonly env?: Record<string, string>
  /** The client's read buffer; by default the SDK's own (10 MiB), as real hosts have it. */
  readonly maxBufferSize?: number
  /** The executable node starts (default dist/bin.js), e.g. the launcher hosts are given. */
  readonly entry?: string
  /** Node options before the entry, e.g. a `--require` preload. */
  readonly nodeArgs?: ReadonlyArray<string>
}

/** Environment for a spawned server: nothing inherited from the test runner but PATH, plus what the test sets. */
export const serverEnv = (options: SpawnOptions): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: path.join(options.home, "user-home"),
  SESSION_BRIDGE_HOME: options.home,
  ...(options.sessionId ? { SESSION_BRIDGE_SESSION_ID: options.sessionId } : {}),
  ...(options.label ? { SESSION_BRIDGE_LABEL: options.label } : {}),
  ...options.env
})

/** Spawns `node dist/bin.js mcp` (or `options.entry`) and connects an SDK client to it over stdio. */
export const spawnMcp = async (options: SpawnOptions): Promise<McpHandle> => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), options.entry ?? BIN, "mcp"],
    env: serverEnv(options),
    cwd: options.cwd ?? options.home,
    stderr: "pipe",
    ...(options.maxBufferSize !== undefined ? { maxBufferSize: options.maxBufferSize } : {})
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")))
  return connect(transport, { clientName: options.clientName, stderr: () => stderr, pid: () => transport.pid })
}

/** A fresh temporary home under the OS temp dir, e.g. /tmp/sb-e2e-XXXX. */
export const tempHome = (prefix = "sb-e2e-"): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** A fresh session id (a real ULID), as a host or a test would pass in SESSION_BRIDGE_SESSION_ID. */
export const testSessionId = (): string =>
  encodeTime(Date.now()) + Array.from({ length: 16 }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join("")
