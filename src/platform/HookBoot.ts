/**
 * Starting the hook bundle (dist/hook.cjs, built from src/hook/run.ts) through V8's code cache: the hook runs on every
 * prompt, and Node 20 caches no compiled code for ES modules. This file imports Node built-ins only, so nothing
 * else is parsed before the bundle; both entries use it: the CommonJS launcher (src/launcher.ts, what `init`
 * writes for an installed package) and the ES module entry (src/hook/main.ts, for bin.js).
 *
 * The cache lives in the bridge home (`cache/hook-<node>-<bundle>.v8`, 0600) and is written only into a home
 * that already exists. It is created at the end of a run that had none (or whose cache V8 rejected), so it holds
 * the code that run compiled; a stale or foreign file is rejected by V8 and replaced. That first run rarely shows
 * messages, so the first run that does writes it once more (`….shown.v8`, preferred from then on): the code that
 * decodes and formats messages is then cached too.
 */
import { type Stats, readFileSync, statSync, writeSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { Script } from "node:vm"
import { bridgeHome, bundleId, cacheFile, readCache, writeCache } from "./CodeCache.js"
import { hookFastPath, type ReadStdin } from "./HookFastPath.js"

/** What the boot code hands the hook bundle's `main` (src/hook/run.ts HookBootInfo). */
export interface HookBoot {
  readonly bundle?: string | undefined
  readonly stdin?: ReadStdin | undefined
}

type HookMain = (
  args: ReadonlyArray<string>,
  report?: (outcome: { readonly shown: boolean }) => void,
  boot?: HookBoot
) => void

/**
 * Where the compiled code for this bundle and this node goes (`lean`: from any run; `shown`: from a run that showed
 * messages); undefined when the home does not exist yet.
 */
const cacheFiles = (bundle: Stats): { readonly lean: string; readonly shown: string } | undefined => {
  const lean = cacheFile("hook", bundle)
  return lean === undefined ? undefined : { lean, shown: `${lean.slice(0, -".v8".length)}.shown.v8` }
}

/**
 * Compiles and runs the CommonJS bundle with cached code when there is some; returns its `main` and the report
 * callback that decides, from what the run did, whether to write the cache at exit.
 */
const loadBundle = (
  file: string
):
  | { readonly main: HookMain; readonly report: (outcome: { readonly shown: boolean }) => void; readonly id: string }
  | undefined => {
  const stat = statSync(file, { throwIfNoEntry: false })
  if (!stat?.isFile()) return undefined
  const cache = cacheFiles(stat)
  const shownData = cache === undefined ? undefined : readCache(cache.shown)
  const cachedData = shownData ?? (cache === undefined ? undefined : readCache(cache.lean))
  // The bundle is pure ASCII (esbuild escapes everything else), so latin1 reads it as-is, without UTF-8 decoding.
  // It is already wrapped as `(function (exports, require, module, __filename, __dirname) {…})` (see
  // scripts/build.mjs): the text read is the text compiled, with no second copy.
  const source = readFileSync(file, "latin1")
  const script = new Script(source, {
    filename: file,
    ...(cachedData !== undefined ? { cachedData } : {})
  })
  const missing = cachedData === undefined || script.cachedDataRejected === true
  let target = cache !== undefined && missing ? cache.lean : undefined
  const report = (outcome: { readonly shown: boolean }) => {
    if (cache !== undefined && outcome.shown && (shownData === undefined || missing)) target = cache.shown
  }
  process.once("exit", () => {
    if (target !== undefined) writeCache("hook", target, script.createCachedData())
  })
  const module = { exports: {} as { main?: HookMain } }
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file))
  return module.exports.main === undefined ? undefined : { main: module.exports.main, report, id: bundleId(stat) }
}

/**
 * Starts the hook from `bundleFile` with `args` (and the stdin bytes the fast path read, src/platform/HookFastPath.ts);
 * false when the bundle is missing or fails to load.
 */
export const startBundledHook = (args: ReadonlyArray<string>, bundleFile: string, stdin?: ReadStdin): boolean => {
  let loaded: ReturnType<typeof loadBundle>
  try {
    loaded = loadBundle(bundleFile)
  } catch {
    loaded = undefined
  }
  if (loaded === undefined) return false
  loaded.main(args, loaded.report, { bundle: loaded.id, stdin })
  return true
}

/**
 * The hook: a prompt with nothing waiting is answered by the fast path (src/platform/HookFastPath.ts) before any
 * bundle loads; anything else starts the bundle, handing it the stdin the fast path read. False, with nothing read,
 * when the bundle is missing; `orElse` runs when it is there but fails to load (with stdin already read, the
 * hook there then replies as for an empty one).
 */
export const startHook = (args: ReadonlyArray<string>, bundleFile: string, orElse: () => void): boolean => {
  const bundle = statSync(bundleFile, { throwIfNoEntry: false })
  if (!bundle?.isFile()) return false
  const debug = process.env["SESSION_BRIDGE_DEBUG"] !== undefined
  hookFastPath(args, bridgeHome(), bundleId(bundle), (fast) => {
    if (fast.answer !== undefined) {
      if (debug) process.stderr.write(`session-bridge hook: fast path, ${fast.note}\n`)
      try {
        if (fast.answer !== "") writeSync(1, fast.answer)
      } catch {
        // A host that stopped reading still gets exit 0.
      }
      process.exit(0)
    }
    if (debug) process.stderr.write(`session-bridge hook: full path (${fast.why})\n`)
    if (!startBundledHook(args, bundleFile, fast.stdin)) orElse()
  })
  return true
}
