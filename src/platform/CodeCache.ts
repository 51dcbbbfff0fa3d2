/**
 * V8 code caches for the bundles that run as CommonJS scripts through `node:vm` (the hook, dist/hook.cjs, and the
 * MCP server's tool calls, dist/mcp/tools.cjs): Node 20 keeps no compiled code for ES modules. A cache lives in the
 * bridge home's `cache/` folder (0600), named by the node version, the architecture and the bundle's size and mtime,
 * and is written only into a home that already exists. V8 checks a cache against the source and its own flags and
 * rejects one that does not match; a rejected, damaged or missing cache only means compiling from source. Node
 * built-ins only: this runs before any bundle is loaded.
 */
import type { Stats } from "node:fs"
import { basename, dirname, join } from "node:path"

/**
 * node:fs as the CommonJS module object: an ES import of it builds its module namespace, which loads Node's file
 * streams (docs/adr/0060-iso-time-without-the-time-zone.md), and the MCP server's entry imports this file.
 */
const {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} = process.getBuiltinModule("node:fs")

/** A bundle's id for cache names and the hook's stamps: its size and whole-ms mtime. */
export const bundleId = (bundle: Stats): string => `${bundle.size}-${Math.floor(bundle.mtimeMs)}`

/** The bridge home, or undefined for a relative SESSION_BRIDGE_HOME (refused by the commands themselves: no cache there). */
export const bridgeHome = (): string | undefined => {
  const explicit = process.env["SESSION_BRIDGE_HOME"]
  if (explicit) return explicit.startsWith("/") ? explicit : undefined
  // node:os is loaded only without HOME: loading it costs about a millisecond of every prompt.
  return join(process.env["HOME"] || process.getBuiltinModule("node:os").homedir(), ".session-bridge")
}

/**
 * Where the cache of `bundle` for this node goes, as `cache/<name>-<node>-<arch>-<bundle id><suffix>`; undefined
 * when the home does not exist yet.
 */
export const cacheFile = (name: string, bundle: Stats, suffix = ".v8"): string | undefined => {
  const home = bridgeHome()
  if (home === undefined || !statSync(home, { throwIfNoEntry: false })?.isDirectory()) return undefined
  return join(home, "cache", `${cachePrefix(name)}${bundleId(bundle)}${suffix}`)
}

/** What every cache of `name` for this node starts with: older bundles' caches share it. */
const cachePrefix = (name: string): string => `${name}-${process.version}-${process.arch}-`

/** A code cache is a few hundred KiB to a few MiB; anything larger is not one of ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024

/**
 * The cache file's bytes, read the way the store reads: never through a link (the file's or a linked `cache`
 * folder), never blocking on a FIFO or a device (O_NONBLOCK, then fstat: regular files only), never more than
 * MAX_CACHE_BYTES. Anything else: no cache.
 */
export const readCache = (file: string): Buffer | undefined => {
  let fd: number | undefined
  try {
    if (!lstatSync(dirname(file)).isDirectory()) return undefined
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const st = fstatSync(fd)
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return undefined
    return readFileSync(fd)
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Writes a cache of `name` (0600, through a temp file and a rename) and removes every other cache of `name` for
 * this node (older bundles', or another kind of the same bundle's); other node versions sharing the home keep theirs. Never throws: a cache that cannot
 * be written only costs speed.
 */
export const writeCache = (name: string, file: string, data: Uint8Array): void => {
  try {
    const dir = dirname(file)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // A `cache` that is a link (or not a directory) is not written through: nothing leaves the home.
    if (!lstatSync(dir).isDirectory()) return
    const mine = cachePrefix(name)
    const keep = basename(file)
    for (const old of readdirSync(dir)) {
      if (old.startsWith(mine) && old !== keep) rmSync(join(dir, old), { force: true })
    }
    // Named like the store's temp files (TEMP_PREFIX in src/services/store/Store.ts), so `session-bridge gc` removes one
    // left by a crash; a failed write (ENOSPC) removes its own.
    const tmp = join(dir, `.tmp-${process.pid}-${keep}`)
    try {
      writeFileSync(tmp, data, { mode: 0o600 })
      renameSync(tmp, file)
    } catch (error) {
      rmSync(tmp, { force: true })
      throw error
    }
  } catch {
    // A cache that cannot be written only costs speed.
  }
}
