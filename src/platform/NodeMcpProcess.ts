/**
 * The `session-bridge mcp` process: its stdio transport, its stderr warnings, its signals and exit. Node built-ins
 * only and no effect, so the server answers `initialize` and `tools/list` before anything else is loaded
 * (docs/adr/0037-mcp-server-loads-per-request.md).
 */
import type { JsonRpcMessage } from "../domain/JsonRpc.js"
import { NodeStdioTransport, type OversizedLine } from "./NodeStdioTransport.js"

/** The default artifact cap (DEFAULT_MAX_ARTIFACT_BYTES in src/bridge/Limits.ts; a test holds them equal). */
export const DEFAULT_ARTIFACT_CAP = 10 * 1024 * 1024

/** SESSION_BRIDGE_MAX_ARTIFACT_BYTES read as positiveIntFromEnv (src/bridge/Limits.ts) reads it. */
export const artifactCap = (raw: string | undefined = process.env["SESSION_BRIDGE_MAX_ARTIFACT_BYTES"]): number => {
  if (raw === undefined || raw === "") return DEFAULT_ARTIFACT_CAP
  const n = Number(raw.trim())
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_ARTIFACT_CAP
}

/**
 * The largest JSON-RPC line read from stdin: room for a maximal artifact with any JSON/base64 overhead, so an
 * artifact over the cap reaches the handler and gets ARTIFACT_TOO_LARGE. Longer lines are skipped and answered.
 */
export const maxLineBytes = (cap: number): number => 8 * cap + 1024 * 1024

/** Newline-delimited JSON-RPC over this process's stdin and stdout. */
export const stdioTransport = (onOversized: (line: OversizedLine) => JsonRpcMessage | undefined): NodeStdioTransport =>
  new NodeStdioTransport(process.stdin, process.stdout, { maxLineBytes: maxLineBytes(artifactCap()), onOversized })

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** A warning on stderr, in the shape of the logger the tool calls use (hosts show stderr in their MCP logs). */
export const warn = (message: string): void => {
  const t = new Date()
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`
  process.stderr.write(`[${time}] WARN (#0): ${message}\n`)
}

/** Runs `stop` once on SIGINT or SIGTERM. */
export const onStopSignal = (stop: () => void): void => {
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

/**
 * V8 settings for the tool calls, set right before they are loaded (the first `tools/call`, and before their code
 * cache is read: V8 checks the flags a cache was made with); each is read by V8 whenever it applies, so setting it
 * at run time takes effect for what is compiled and allocated from then on.
 * - `--semi-space-growth-factor=1`: the young generation stays at its initial size (two 1 MiB semi-spaces)
 *   instead of doubling while the tool calls' code is loaded: nearly everything allocated then lives on, so
 *   growing it buys nothing but resident memory (about 3 MiB; docs/adr/0038-mcp-server-young-generation.md).
 * - `--no-opt`: no TurboFan. A call's own work is a fraction of a millisecond; the first optimizing compile of a
 *   process made the call that set it off take 2–4 ms instead of about 1, and a busy server's compiles kept about
 *   11 MiB more resident for good (docs/adr/0086-mcp-server-without-turbofan.md).
 * - `--interrupt-budget` and `--interrupt-budget-factor-for-feedback-allocation` at 16 times their defaults
 *   (66 KiB and 8), from when they kept TurboFan out of the first calls (docs/adr/0048-mcp-server-resident-memory.md):
 *   functions are profiled after 16 times as much work. With TurboFan off they still keep memory and the first call
 *   down: without them, 0.5 MiB more resident after four calls and a first search about 7 ms slower (ADR-0086).
 */
export const tuneV8ForToolCalls = (): void =>
  process
    .getBuiltinModule("node:v8")
    .setFlagsFromString(
      "--semi-space-growth-factor=1 --no-opt --interrupt-budget=1081344 --interrupt-budget-factor-for-feedback-allocation=128"
    )

/** Resolves after `millis`, without keeping the process alive. */
export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis).unref())

/** Ends the process now: a watcher or timer left by a cancelled call must not keep a finished server alive. */
export const exit = (code: number): never => process.exit(code)

/** A file URL's path (the tool calls' bundle beside the entry's chunk). */
export const pathOf = (url: URL): string => process.getBuiltinModule("node:url").fileURLToPath(url)

/** A line on stderr when SESSION_BRIDGE_DEBUG is set. */
export const debug = (message: string): void => {
  if (process.env["SESSION_BRIDGE_DEBUG"] !== undefined) process.stderr.write(`session-bridge mcp: ${message}\n`)
}
