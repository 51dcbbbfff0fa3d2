import { type Dirent, type Stats, promises as fsp } from "node:fs"
import { basename, join, relative, sep } from "node:path"
import { DIR_MODE, FILE_MODE, TEMP_PREFIX, type ModeRepair } from "../../services/store/Store.js"
import { code } from "./SafeFile.js"

/**
 * The store's whole-home walks (maintenance only: asynchronous, through node:fs/promises). Links are never
 * followed and never chmodded: a link's target is outside what the home may change.
 */
const walk = async (dir: string, visit: (file: string, st: Stats) => Promise<void>): Promise<void> => {
  let entries: Array<Dirent>
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true })
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return // removed or replaced while we walked
    throw error
  }
  for (const entry of entries) {
    const file = join(dir, entry.name)
    let st: Stats
    try {
      st = await fsp.lstat(file)
    } catch (error) {
      if (code(error) === "ENOENT") continue // removed while we walked
      throw error
    }
    if (st.isSymbolicLink()) continue
    try {
      await visit(file, st)
    } catch (error) {
      if (code(error) === "ENOENT") continue // removed between the lstat and the visit (a temp file renamed into place)
      throw error
    }
    if (st.isDirectory()) await walk(file, visit)
  }
}

const relativeTo = (root: string, file: string) => relative(root, file).split(sep).join("/")

/**
 * Sets every directory under `root` (and `root`) to 0700 and every regular file to 0600 where its mode differs,
 * and returns what it changed. Only what `uid` owns is touched (undefined: anything).
 */
export const repairModes = async (root: string, uid: number | undefined): Promise<ReadonlyArray<ModeRepair>> => {
  const fixed: Array<ModeRepair> = []
  const fix = async (file: string, st: Stats) => {
    if (!st.isDirectory() && !st.isFile()) return
    if (uid !== undefined && st.uid !== uid) return
    const want = st.isDirectory() ? DIR_MODE : FILE_MODE
    const from = st.mode & 0o777
    if (from === want) return
    await fsp.chmod(file, want)
    fixed.push({ path: file === root ? "" : relativeTo(root, file), from, to: want })
  }
  await fsp.mkdir(root, { recursive: true, mode: DIR_MODE })
  await fix(root, await fsp.stat(root))
  await walk(root, fix)
  return fixed
}

/** Temp files under `root` last modified before `cutoffMs`, as store paths. */
export const staleTempFiles = async (root: string, cutoffMs: number): Promise<ReadonlyArray<string>> => {
  const found: Array<string> = []
  await walk(root, async (file, st) => {
    if (st.isFile() && basename(file).startsWith(TEMP_PREFIX) && st.mtimeMs < cutoffMs) {
      found.push(relativeTo(root, file))
    }
  })
  return found
}
