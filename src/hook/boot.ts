/**
 * Starting the hook bundle (dist/hook.cjs, built from ./run.ts) through V8's code cache: the hook runs on every
 * prompt, and Node 20 caches no compiled code for ES modules. This file imports Node built-ins only, so nothing
 * else is parsed before the bundle; both entries use it: the CommonJS launcher (src/launcher.ts, what `init`
 * writes for an installed package) and the ES module entry (./main.ts, for bin.js).
 *
 * The cache lives in the bridge home (`cache/hook-<node>-<bundle>.v8`, 0600) and is written only into a home
 * that already exists. It is created at the end of a run that had none (or whose cache V8 rejected), so it holds
 * the code that run compiled; a stale or foreign file is rejected by V8 and replaced. That first run rarely shows
 * messages, so the first run that does writes it once more (`….shown.v8`, preferred from then on): the code that
 * decodes and formats messages is then cached too.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as vm from "node:vm"

type HookMain = (args: ReadonlyArray<string>, report?: (outcome: { readonly shown: boolean }) => void) => void

const bridgeHome = (): string =>
  process.env["SESSION_BRIDGE_HOME"] || path.join(process.env["HOME"] || os.homedir(), ".session-bridge")

/**
 * Where the compiled code for this bundle and this node goes (`lean`: from any run; `shown`: from a run that showed
 * messages); undefined when the home does not exist yet.
 */
const cacheFiles = (bundle: fs.Stats): { readonly lean: string; readonly shown: string } | undefined => {
  const home = bridgeHome()
  if (!fs.statSync(home, { throwIfNoEntry: false })?.isDirectory()) return undefined
  const key = `${process.version}-${process.arch}-${bundle.size}-${Math.floor(bundle.mtimeMs)}`
  const base = path.join(home, "cache", `hook-${key}`)
  return { lean: `${base}.v8`, shown: `${base}.shown.v8` }
}

const readIfPresent = (file: string): Buffer | undefined => {
  try {
    return fs.readFileSync(file)
  } catch {
    return undefined
  }
}

const writeCache = (file: string, data: Buffer): void => {
  try {
    const dir = path.dirname(file)
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    // Older bundles' caches for this node go; other node versions sharing the home keep theirs.
    const mine = `hook-${process.version}-${process.arch}-`
    for (const old of fs.readdirSync(dir)) {
      if (old.startsWith(mine) && old !== path.basename(file)) fs.rmSync(path.join(dir, old), { force: true })
    }
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, data, { mode: 0o600 })
    fs.renameSync(tmp, file)
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

/**
 * Compiles and runs the CommonJS bundle with cached code when there is some; returns its `main` and the report
 * callback that decides, from what the run did, whether to write the cache at exit.
 */
const loadBundle = (
  file: string
): { readonly main: HookMain; readonly report: (outcome: { readonly shown: boolean }) => void } | undefined => {
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  if (!stat?.isFile()) return undefined
  const cache = cacheFiles(stat)
  const shownData = cache === undefined ? undefined : readIfPresent(cache.shown)
  const cachedData = shownData ?? (cache === undefined ? undefined : readIfPresent(cache.lean))
  // The bundle is pure ASCII (esbuild escapes everything else), so latin1 reads it as-is, without UTF-8 decoding.
  const source = fs.readFileSync(file, "latin1")
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData !== undefined ? { cachedData } : {})
  })
  const missing = cachedData === undefined || script.cachedDataRejected === true
  let target = cache !== undefined && missing ? cache.lean : undefined
  const report = (outcome: { readonly shown: boolean }) => {
    if (cache !== undefined && outcome.shown && (shownData === undefined || missing)) target = cache.shown
  }
  process.once("exit", () => {
    if (target !== undefined) writeCache(target, script.createCachedData())
  })
  const module = { exports: {} as { main?: HookMain } }
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file))
  return module.exports.main === undefined ? undefined : { main: module.exports.main, report }
}

/** Starts the hook from `bundleFile` with `args`; false when the bundle is missing or fails to load. */
export const startBundledHook = (args: ReadonlyArray<string>, bundleFile: string): boolean => {
  let loaded: ReturnType<typeof loadBundle>
  try {
    loaded = loadBundle(bundleFile)
  } catch {
    loaded = undefined
  }
  if (loaded === undefined) return false
  loaded.main(args, loaded.report)
  return true
}
