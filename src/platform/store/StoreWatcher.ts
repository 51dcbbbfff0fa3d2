import { type FSWatcher, readdirSync, watch } from "node:fs"
import { TEMP_PREFIX, type StoreChange } from "../../services/store/Store.js"
import { isAbsent } from "./SafeFile.js"

/** Entry names in a directory, sorted, temp files left out; [] when it does not exist. */
export const listNames = (dir: string): Array<string> => {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith(TEMP_PREFIX))
      .sort()
  } catch (error) {
    if (isAbsent(error)) return []
    throw error
  }
}

/** Polling fallback interval for directories where fs.watch is unavailable. */
const POLL_MS = 200

/**
 * fs.watch on the directory `file` (reported as `dir`); where that fails (some network or virtual file systems),
 * a 200 ms listing poll. Returns the function that stops it.
 */
export const watchDirectory = (file: string, dir: string, onChange: (change: StoreChange) => void): (() => void) => {
  let watcher: FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined
  const startPolling = () => {
    watcher?.close()
    watcher = undefined
    if (timer) return
    const snapshot = (): Set<string> | undefined => {
      try {
        return new Set(listNames(file))
      } catch {
        return undefined // an unreadable directory is looked at again on the next tick
      }
    }
    let known = snapshot() ?? new Set<string>()
    timer = setInterval(() => {
      const now = snapshot()
      if (now === undefined) return
      for (const n of now) if (!known.has(n)) onChange({ dir, name: n })
      for (const n of known) if (!now.has(n)) onChange({ dir, name: n })
      known = now
    }, POLL_MS)
    timer.unref()
  }
  try {
    watcher = watch(file, { persistent: false }, (_event, name) => {
      if (name && !name.startsWith(TEMP_PREFIX)) onChange({ dir, name: name.toString() })
    })
    watcher.on("error", startPolling)
  } catch {
    startPolling()
  }
  return () => {
    watcher?.close()
    if (timer) clearInterval(timer)
  }
}
