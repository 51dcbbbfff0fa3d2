/**
 * The hook bundle's `performance`: scripts/build.mjs maps the global name to this object in dist/hook.cjs and in
 * the MCP server's tool calls (dist/mcp/), nowhere else. Node's global `performance` loads perf_hooks and nine
 * internal modules the first time it is touched, about 2 ms of every prompt (and memory the MCP server would hold
 * for its life), while the hook (its budget and debug timings) and Effect's clock only call `now()`.
 * process.uptime() counts from the same start, in fractional seconds.
 */
export const hookPerformance = {
  now: (): number => process.uptime() * 1000
}
