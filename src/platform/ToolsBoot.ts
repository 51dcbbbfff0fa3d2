/**
 * Loading the MCP server's tool calls (dist/mcp/tools.cjs, built from src/mcp/ToolRuntime.ts) through V8's code
 * cache (src/platform/CodeCache.ts): compiling them from source is most of a server's first tool call
 * (docs/adr/0062-tool-calls-through-a-code-cache.md). Node built-ins only.
 *
 * The cache (`cache/mcp-tools-<node>-<arch>-<bundle>.v8`, 0600) starts with the names of the tools whose code it
 * holds: V8 caches what the writing process had compiled, and a process compiles a tool's code when it first runs
 * it. A server writes the cache once it has been idle for a while, or when it exits, if it ran a tool the cache it
 * loaded does not name; the new one names both, so a home's cache grows to the tools its sessions use and is
 * rewritten at most once per tool. A cache V8 rejects (another node, other flags, a damaged file) counts as none.
 */
import { dirname } from "node:path"
import type { Script } from "node:vm"
import { cacheFile, readCache, writeCache } from "./CodeCache.js"

/** As in CodeCache.ts: node:fs without an ES import, which would load Node's file streams. */
const { readFileSync, statSync } = process.getBuiltinModule("node:fs")

const NAME = "mcp-tools"
/** How long a server runs no call before it writes the cache. */
const IDLE_MS = 2000
/** The header's length prefix (4 bytes, big-endian) and its largest size: 17 tool names fit many times over. */
const MAX_HEADER_BYTES = 64 * 1024

/** The tool calls' module, and what the server tells the loader about its calls. */
export interface LoadedTools<A> {
  readonly exports: A
  /** Whether the code came from the home's cache: none there (or no home yet), or one V8 rejected. */
  readonly cache: "used" | "rejected" | "none"
  /** A tool call starts (by tool name). */
  readonly started: (tool: string) => void
  /** A tool call ended. */
  readonly ended: () => void
}

/** A cache file: `[header length][header: JSON array of tool names][V8's bytes]`; undefined when it is not one. */
export const decodeCache = (
  bytes: Buffer
): { readonly tools: ReadonlyArray<string>; readonly data: Buffer } | undefined => {
  if (bytes.length < 4) return undefined
  const length = bytes.readUInt32BE(0)
  if (length > MAX_HEADER_BYTES || 4 + length > bytes.length) return undefined
  let tools: unknown
  try {
    tools = JSON.parse(bytes.subarray(4, 4 + length).toString("utf8"))
  } catch {
    return undefined
  }
  if (!Array.isArray(tools) || !tools.every((t) => typeof t === "string")) return undefined
  return { tools, data: bytes.subarray(4 + length) }
}

export const encodeCache = (tools: ReadonlyArray<string>, data: Buffer): Buffer => {
  const header = Buffer.from(JSON.stringify([...tools].sort()), "utf8")
  const length = Buffer.alloc(4)
  length.writeUInt32BE(header.length, 0)
  return Buffer.concat([length, header, data])
}

/**
 * Compiles `file` with the home's cache when V8 accepts it. Its own function, so the cache's bytes are garbage
 * before the module runs: they die young instead of staying resident until a full collection.
 */
const compile = (
  file: string,
  cache: string | undefined
): {
  readonly script: Script
  readonly covered: Set<string>
  readonly cache: LoadedTools<unknown>["cache"]
} => {
  const found = cache === undefined ? undefined : readCache(cache)
  const decoded = found === undefined ? undefined : decodeCache(found)
  // The bundle is pure ASCII (built with charset "ascii"), so latin1 reads it as-is, without UTF-8 decoding; it
  // already holds the CommonJS wrapper (scripts/build.mjs), so the text read is the text compiled.
  const { Script } = process.getBuiltinModule("node:vm")
  const script = new Script(readFileSync(file, "latin1"), {
    filename: file,
    ...(decoded !== undefined ? { cachedData: decoded.data } : {})
  })
  const accepted = decoded !== undefined && script.cachedDataRejected !== true
  return {
    script,
    covered: new Set(accepted ? decoded.tools : []),
    cache: accepted ? "used" : found === undefined ? "none" : "rejected"
  }
}

/**
 * Loads the tool calls' bundle `file` (a missing or broken bundle throws, as an import would); the cache is written
 * after `idleMs` without a call.
 */
export const loadTools = <A>(file: string, idleMs = IDLE_MS): LoadedTools<A> => {
  const stat = statSync(file)
  // Looked up again when writing: the first tool call of a server creates a home that did not exist yet.
  let cache = cacheFile(NAME, stat)
  const compiled = compile(file, cache)
  const { script, covered } = compiled
  const ran = new Set<string>()
  let inFlight = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const uncovered = () => [...ran].some((t) => !covered.has(t))
  const write = () => {
    timer = undefined
    cache ??= cacheFile(NAME, stat)
    if (cache === undefined || !uncovered()) return
    for (const t of ran) covered.add(t)
    writeCache(NAME, cache, encodeCache([...covered], script.createCachedData()))
  }
  process.once("exit", write)
  const module = { exports: {} as A }
  const require = process.getBuiltinModule("node:module").createRequire(file)
  script.runInThisContext()(module.exports, require, module, file, dirname(file))
  return {
    exports: module.exports,
    cache: compiled.cache,
    started: (tool) => {
      inFlight++
      ran.add(tool)
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    },
    ended: () => {
      inFlight = Math.max(0, inFlight - 1)
      if (inFlight === 0 && uncovered()) timer = setTimeout(write, idleMs).unref()
    }
  }
}
