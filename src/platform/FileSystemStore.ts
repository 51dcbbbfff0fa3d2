import {
  type Dirent,
  type FSWatcher,
  type Stats,
  appendFileSync,
  chmodSync,
  closeSync,
  fsync as fsyncWithCallback,
  linkSync,
  mkdirSync,
  openSync,
  promises as fsPromises,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  watch,
  writeFileSync
} from "node:fs"
import { basename, dirname, join, relative, sep } from "node:path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { StoreError } from "../domain/Errors.js"
import { DIR_MODE, FILE_MODE, Store, TEMP_PREFIX, type StoreChange, type StoreShape } from "../services/Store.js"
import { dirSegments, segments } from "../services/StorePath.js"

const code = (cause: unknown): string | undefined => (cause as NodeJS.ErrnoException | undefined)?.code

const storeError = (path: string) => (cause: unknown) =>
  new StoreError({ reason: code(cause) === "ENOENT" ? "NotFound" : "Io", path, cause })

const io = <A>(path: string, f: () => Promise<A>): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({ try: f, catch: storeError(path) })

/** A call made directly on this thread: the fiber never suspends for it. */
const ioSync = <A>(path: string, f: () => A): Effect.Effect<A, StoreError> =>
  Effect.try({ try: f, catch: storeError(path) })

let tempCount = 0
/**
 * A temp file name unique among live processes (pid, a per-process count) and, against a dead process's leftover
 * with the same pid, random enough; openTemp retries the rare name already taken. (No node:crypto: loading it
 * costs the hook, which runs on every prompt, about as much as its own work.)
 */
const tempName = () =>
  `${TEMP_PREFIX}${process.pid}-${(++tempCount).toString(36)}-${Math.random().toString(36).slice(2, 10)}`

/** Creates a fresh temp file in `dir` (0600, exclusive) and returns its path and descriptor. */
const openTemp = (dir: string): { readonly tmp: string; readonly fd: number } => {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dir, tempName())
    try {
      return { tmp, fd: openSync(tmp, "wx", FILE_MODE) }
    } catch (error) {
      if (code(error) !== "EEXIST" || attempt >= 4) throw error
    }
  }
}

/** Removes a file; one that is already gone is fine. */
const unlinkQuietly = (file: string): void => {
  try {
    unlinkSync(file)
  } catch (error) {
    if (code(error) !== "ENOENT") throw error
  }
}

/** node:fs/promises, loaded on first use only (maintenance calls): loading it costs each hook run milliseconds. */
const fsp = () => fsPromises

const fsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fsyncWithCallback(fd, (error) => (error ? reject(error) : resolve())))

/** Polling fallback interval for directories where fs.watch is unavailable. */
const POLL_MS = 200

/**
 * The real store: files under `root`, created 0700/0600, atomic writes, exclusive creates by hard link.
 * Reads, listings, stats, empty-marker creates and the metadata calls of a create (small files, page cache) are
 * made directly rather than through libuv's small thread pool, where each call waits its turn; reads, listings,
 * stats and marker creates are synchronous Effects, so a fiber does not even suspend for them. fsync, which
 * waits for the disk, still goes through the pool.
 */
export const make = (root: string): StoreShape => {
  const abs = (parts: ReadonlyArray<string>) => join(root, ...parts)
  const ensuredDirs = new Set<string>()

  const ensureDirSync = (dir: string): void => {
    if (ensuredDirs.has(dir)) return
    mkdirSync(dir, { recursive: true, mode: DIR_MODE })
    const st = statSync(dir)
    if ((st.mode & 0o077) !== 0) chmodSync(dir, DIR_MODE)
    ensuredDirs.add(dir)
  }

  /** Writes `data` to a fresh temp file beside `target`, fsynced, and returns its path. */
  const writeTemp = async (target: string, data: Uint8Array | string): Promise<string> => {
    const dir = dirname(target)
    ensureDirSync(root)
    ensureDirSync(dir)
    const { tmp, fd } = openTemp(dir)
    try {
      writeFileSync(fd, data)
      await fsync(fd)
    } catch (error) {
      closeSync(fd)
      unlinkQuietly(tmp)
      throw error
    }
    closeSync(fd)
    return tmp
  }

  const withPath = <A>(path: string, f: (file: string) => Promise<A>) =>
    Effect.flatMap(segments(path), (parts) => io(path, () => f(abs(parts))))
  const withDir = <A>(dir: string, f: (file: string) => Promise<A>) =>
    Effect.flatMap(dirSegments(dir), (parts) => io(dir, () => f(abs(parts))))
  const withPathSync = <A>(path: string, f: (file: string) => A) =>
    Effect.flatMap(segments(path), (parts) => ioSync(path, () => f(abs(parts))))
  const withDirSync = <A>(dir: string, f: (file: string) => A) =>
    Effect.flatMap(dirSegments(dir), (parts) => ioSync(dir, () => f(abs(parts))))

  const readOption = (path: string) =>
    withPathSync(path, (file) => {
      try {
        return Option.some<Uint8Array>(readFileSync(file))
      } catch (error) {
        if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return Option.none<Uint8Array>()
        throw error
      }
    })

  const readTexts: StoreShape["readTexts"] = (paths) =>
    Effect.flatMap(Effect.forEach(paths, segments), (all) =>
      ioSync(paths[0] ?? root, () =>
        all.map((parts) => {
          try {
            return Option.some(readFileSync(abs(parts), "utf8"))
          } catch (error) {
            if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return Option.none<string>()
            throw error
          }
        })
      )
    )

  const listNames = (dir: string): Array<string> => {
    try {
      return readdirSync(dir)
        .filter((n) => !n.startsWith(TEMP_PREFIX))
        .sort()
    } catch (error) {
      if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return []
      throw error
    }
  }

  const walk = async (dir: string, visit: (file: string, st: Stats) => Promise<void>): Promise<void> => {
    let entries: Array<Dirent>
    try {
      entries = await fsp().readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return
      throw error
    }
    for (const entry of entries) {
      const file = join(dir, entry.name)
      try {
        const st = await fsp().lstat(file)
        if (st.isSymbolicLink()) continue
        await visit(file, st)
        if (st.isDirectory()) await walk(file, visit)
      } catch (error) {
        // An entry removed while the walk runs (a temp file renamed into place, a tree being deleted) is gone.
        if (code(error) !== "ENOENT") throw error
      }
    }
  }

  /** fs.watch on the directory; where that fails (some network or virtual file systems), a 200 ms listing poll. */
  const watchDirectory = (file: string, dir: string, onChange: (change: StoreChange) => void) => {
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

  const subscribe: StoreShape["subscribe"] = (dir, onChange) =>
    Effect.flatMap(dirSegments(dir), (parts) =>
      Effect.acquireRelease(
        ioSync(dir, () => {
          const file = abs(parts)
          ensureDirSync(root)
          ensureDirSync(file)
          return watchDirectory(file, dir, onChange)
        }),
        (stop) => Effect.sync(stop)
      )
    ).pipe(Effect.asVoid)

  return {
    root,
    read: readOption,
    readTexts,
    readText: (path) => readOption(path).pipe(Effect.map(Option.map((b) => Buffer.from(b).toString("utf8")))),
    write: (path, data) =>
      withPath(path, async (file) => {
        const tmp = await writeTemp(file, data)
        try {
          renameSync(tmp, file)
        } catch (error) {
          unlinkQuietly(tmp)
          throw error
        }
      }),
    createExclusive: (path, data) =>
      withPath(path, async (file) => {
        // Opening, writing a small buffer, linking and unlinking are quick metadata and page-cache calls, made
        // directly; only the fsync, the one that waits for the disk, goes through the thread pool. The temp
        // file is linked into place while still open.
        const dir = dirname(file)
        ensureDirSync(root)
        ensureDirSync(dir)
        const { tmp, fd } = openTemp(dir)
        try {
          writeFileSync(fd, data)
          await fsync(fd)
          linkSync(tmp, file)
          return true
        } catch (error) {
          if (code(error) === "EEXIST") return false
          throw error
        } finally {
          closeSync(fd)
          unlinkQuietly(tmp)
        }
      }),
    createEmpty: (path) =>
      withPathSync(path, (file) => {
        ensureDirSync(root)
        ensureDirSync(dirname(file))
        try {
          closeSync(openSync(file, "wx", FILE_MODE))
          return true
        } catch (error) {
          if (code(error) === "EEXIST") return false
          throw error
        }
      }),
    append: (path, data) =>
      withPathSync(path, (file) => {
        ensureDirSync(root)
        ensureDirSync(dirname(file))
        appendFileSync(file, data, { mode: FILE_MODE, flag: "a" })
      }),
    list: (dir) => withDirSync(dir, listNames),
    stat: (path) =>
      withPathSync(path, (file) => {
        try {
          const st = statSync(file)
          return Option.some({
            size: st.size,
            mtimeMs: st.mtimeMs,
            mode: st.mode & 0o777,
            isDirectory: st.isDirectory()
          })
        } catch (error) {
          if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return Option.none()
          throw error
        }
      }),
    remove: (path) =>
      withPathSync(path, (file) => {
        try {
          unlinkSync(file)
          return true
        } catch (error) {
          if (code(error) === "ENOENT") return false
          throw error
        }
      }),
    removeTree: (dir) =>
      withDir(dir, async (file) => {
        await fsp().rm(file, { recursive: true, force: true })
        for (const d of ensuredDirs) if (d === file || d.startsWith(file + sep)) ensuredDirs.delete(d)
      }),
    move: (from, to) =>
      Effect.flatMap(segments(to), (toParts) =>
        withPathSync(from, (file) => {
          const target = abs(toParts)
          ensureDirSync(dirname(target))
          renameSync(file, target)
        })
      ),
    subscribe,
    repairModes: io(root, async () => {
      let fixed = 0
      await fsp().mkdir(root, { recursive: true, mode: DIR_MODE })
      const rootStat = await fsp().stat(root)
      if ((rootStat.mode & 0o777) !== DIR_MODE) {
        await fsp().chmod(root, DIR_MODE)
        fixed++
      }
      ensuredDirs.add(root)
      await walk(root, async (file, st) => {
        const want = st.isDirectory() ? DIR_MODE : FILE_MODE
        if ((st.mode & 0o777) !== want) {
          await fsp().chmod(file, want)
          fixed++
        }
      })
      return fixed
    }),
    staleTempFiles: (olderThanMs) =>
      io(root, async () => {
        const found: Array<string> = []
        const cutoff = Date.now() - olderThanMs
        await walk(root, async (file, st) => {
          if (st.isFile() && basename(file).startsWith(TEMP_PREFIX) && st.mtimeMs < cutoff) {
            found.push(relative(root, file).split(sep).join("/"))
          }
        })
        return found
      })
  }
}

/** The store on the real file system, rooted at `root` (created 0700 on first write). */
export const layerFileSystem = (root: string): Layer.Layer<Store> => Layer.sync(Store, () => make(root))
