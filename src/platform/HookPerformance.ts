/**
 * The hook bundle's `performance`: scripts/build.mjs maps the global name to this object in dist/hook.cjs only.
 * Node's global `performance` loads perf_hooks and nine internal modules the first time it is touched, about
 * 2 ms of every prompt, while the hook (its budget and debug timings) and Effect's clock only call `now()`.
 * process.uptime() counts from the same start, in fractional seconds.
 */
export const hookPerformance = {
  now: (): number => process.uptime() * 1000
}
