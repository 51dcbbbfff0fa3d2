import { chmodSync, lstatSync, mkdirSync, promises as fsPromises, renameSync, statSync, unlinkSync } from "node:fs"
import { dirname } from "node:path"
import { folderPrefix } from "../PathPrefix.js"
import type { SpareTempFiles } from "../TempFile.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { StoreError } from "../../domain/Errors.js"
import { DIR_MODE, MAX_RECORD_BYTES, Store, type StoredText, type StoreShape } from "../../services/store/Store.js"
import { dirSegments, segments, segmentsOf } from "../../services/store/StorePath.js"
import { appendTo, code, createEmptyFile, isAbsent, kindOf, readHead, Refused, withTempFile } from "./SafeFile.js"
import { createAllFresh, linkFresh } from "./CreateAll.js"
import { repairModes, staleTempFiles } from "./StoreMaintenance.js"
import { listNames, watchDirectory } from "./StoreWatcher.js"

/** A refusal names the store path it concerns (a directory on the way, or the home), else the path asked for. */
const storeError = (path: string) => (cause: unknown) => {
  if (cause instanceof Refused) return new StoreError({ reason: "Unsafe", path: cause.at ?? path, cause: cause.detail })
  if (code(cause) === "ELOOP") return new StoreError({ reason: "Unsafe", path, cause: "a symbolic link loop" })
  return new StoreError({ reason: code(cause) === "ENOENT" ? "NotFound" : "Io", path, cause })
}

const io = <A>(path: string, f: () => Promise<A>): Effect.Effect<A, StoreError> =>
  Effect.tryPromise({ try: f, catch: storeError(path) })

/** A call made directly on this thread: the fiber never suspends for it. */
const ioSync = <A>(path: string, f: () => A): Effect.Effect<A, StoreError> =>
  Effect.try({ try: f, catch: storeError(path) })

export interface FileSystemStoreOptions {
  /**
   * The user the home must belong to: the current process's uid unless given (undefined where the platform has
   * no uids). Tests pass another to see a home owned by someone else refused.
   */
  readonly uid?: number | undefined
  /**
   * Empty temp files made ahead for this store's writes (SpareTempFiles.ts, ADR-0074): for a long-lived process,
   * which closes them when it is done. None by default: a short one would make files only to remove them.
   */
  readonly spares?: SpareTempFiles | undefined
}

/**
 * The real store: files under `root`, created 0700/0600 whatever the umask, atomic writes, exclusive creates by
 * hard link. Reads, listings, stats and marker creates are synchronous calls on this thread (small files in the
 * page cache; libuv's small pool would only add waiting), and none of them can block: a read opens with
 * O_NOFOLLOW | O_NONBLOCK, checks the open descriptor is a regular file within its cap, then reads it. Every
 * directory on a path is checked with lstat the first time this process uses it: a link there is refused, so
 * nothing under the home leads out of it. fsync, which waits for the disk, goes through the pool.
 */
export const make = (root: string, options: FileSystemStoreOptions = {}): StoreShape => {
  const uid = "uid" in options ? options.uid : process.getuid?.()
  const spares = options.spares
  // Joined by hand (PathPrefix.ts): the segments are checked (StorePath.ts: no "", ".", ".." or separators).
  const prefix = folderPrefix(root)
  const abs = (parts: ReadonlyArray<string>) => (parts.length === 0 ? prefix || "/" : `${prefix}/${parts.join("/")}`)
  /** Directories (store paths) seen to be real directories, owned right and 0700. */
  const checkedDirs = new Set<string>()
  let rootChecked = false

  /** The home's mode when it is a directory owned by `uid`; undefined while it does not exist. */
  const rootMode = (): number | undefined => {
    let st
    try {
      st = statSync(root)
    } catch (error) {
      if (isAbsent(error)) return undefined
      throw error
    }
    if (!st.isDirectory()) throw new Refused(`the home is ${kindOf(st.mode)}, not a directory`, root)
    if (uid !== undefined && st.uid !== uid)
      throw new Refused(`the home belongs to uid ${st.uid}, not to this user (uid ${uid})`, root)
    return st.mode & 0o777
  }

  /** The home, checked once per process and tightened to 0700. False while it does not exist. */
  const checkRoot = (): boolean => {
    if (rootChecked) return true
    const mode = rootMode()
    if (mode === undefined) return false
    if (mode !== DIR_MODE) chmodSync(root, DIR_MODE)
    rootChecked = true
    return true
  }

  /**
   * lstat check of one directory: a real directory, and 0700 when it is ours. False when it does not exist (asked
   * without an exception: a missing directory is asked about on every search, and the throw cost more than the lstat).
   */
  const checkDir = (key: string, file: string): boolean => {
    let st
    try {
      st = lstatSync(file, { throwIfNoEntry: false })
    } catch (error) {
      if (isAbsent(error)) return false
      throw error
    }
    if (st === undefined) return false
    if (!st.isDirectory()) throw new Refused(`${kindOf(st.mode)} where a directory belongs`, key)
    if ((st.mode & 0o777) !== DIR_MODE && (uid === undefined || st.uid === uid)) chmodSync(file, DIR_MODE)
    checkedDirs.add(key)
    return true
  }

  /** Checks the first `count` directories of `parts`; false as soon as one does not exist. */
  const checkDirs = (parts: ReadonlyArray<string>, count: number): boolean => {
    if (!checkRoot()) return false
    for (let i = 1; i <= count; i++) {
      const key = parts.slice(0, i).join("/")
      if (!checkedDirs.has(key) && !checkDir(key, abs(parts.slice(0, i)))) return false
    }
    return true
  }

  /** Creates (0700, whatever the umask) and checks the first `count` directories of `parts`. */
  const ensureDirs = (parts: ReadonlyArray<string>, count: number): void => {
    if (!checkRoot()) {
      mkdirSync(root, { recursive: true, mode: DIR_MODE })
      checkRoot()
    }
    for (let i = 1; i <= count; i++) {
      const key = parts.slice(0, i).join("/")
      if (checkedDirs.has(key)) continue
      const file = abs(parts.slice(0, i))
      try {
        mkdirSync(file, { mode: DIR_MODE })
      } catch (error) {
        if (code(error) !== "EEXIST") throw error
      }
      if (!checkDir(key, file)) throw new Refused("vanished while being created", key)
    }
  }

  /** A synchronous call on a checked path: one step of the calling fiber (no separate step for the check). */
  const fileOp = <A>(
    path: string,
    f: (parts: ReadonlyArray<string>, file: string) => A
  ): Effect.Effect<A, StoreError> => {
    const parts = segmentsOf(path)
    return parts === undefined
      ? Effect.fail(new StoreError({ reason: "InvalidPath", path }))
      : ioSync(path, () => f(parts, abs(parts)))
  }
  const fileOpAsync = <A>(path: string, f: (parts: ReadonlyArray<string>, file: string) => Promise<A>) =>
    Effect.flatMap(segments(path), (parts) => io(path, () => f(parts, abs(parts))))
  const dirOp = <A>(dir: string, f: (parts: ReadonlyArray<string>, file: string) => A) =>
    dir === "" ? ioSync(dir, () => f([], abs([]))) : fileOp(dir, f)

  /** A file's bytes (at most `maxBytes`, or the whole file refused when `whole`); undefined when absent. */
  const readFile = (parts: ReadonlyArray<string>, maxBytes: number, whole: boolean) =>
    checkDirs(parts, parts.length - 1) ? readHead(abs(parts), maxBytes, whole, uid) : undefined

  const read = (path: string, maxBytes = MAX_RECORD_BYTES) =>
    fileOp(path, (parts) => Option.fromNullable(readFile(parts, maxBytes, true)?.bytes as Buffer | undefined))

  const readTexts: StoreShape["readTexts"] = (paths) => {
    const all = paths.map(segmentsOf)
    const invalid = all.findIndex((parts) => parts === undefined)
    if (invalid >= 0) return Effect.fail(new StoreError({ reason: "InvalidPath", path: paths[invalid]! }))
    return Effect.sync(() =>
      all.map((parts, i): StoredText => {
        try {
          const found = readFile(parts!, MAX_RECORD_BYTES, true)
          return Either.right(
            found === undefined ? Option.none() : Option.some((found.bytes as Buffer).toString("utf8"))
          )
        } catch (error) {
          return Either.left(storeError(paths[i]!)(error))
        }
      })
    )
  }

  return {
    root,
    read,
    readText: (path, maxBytes) =>
      Effect.map(
        read(path, maxBytes),
        Option.map((b) => b.toString("utf8"))
      ),
    readHead: (path, maxBytes) => fileOp(path, (parts) => Option.fromNullable(readFile(parts, maxBytes, false))),
    readTexts,
    write: (path, data) =>
      fileOpAsync(path, async (parts, file) => {
        ensureDirs(parts, parts.length - 1)
        await withTempFile(dirname(file), data, (tmp) => renameSync(tmp, file), false, spares)
      }),
    createExclusive: (path, data) =>
      fileOpAsync(path, async (parts, file) => {
        ensureDirs(parts, parts.length - 1)
        // The temp file is linked into place while still open: link fails with EEXIST if the name is taken. The
        // name is fresh, so it is linked as soon as it is written and fsynced after (ADR-0049): a waiting reader
        // sees the whole file one disk flush earlier, and the create still returns only once it is on disk.
        return withTempFile(dirname(file), data, (tmp) => linkFresh(tmp, file), true, spares)
      }),
    createExclusiveAll: (entries) =>
      Effect.flatMap(
        Effect.forEach(entries, (entry) => segments(entry.path)),
        (all) =>
          Effect.flatMap(
            Effect.promise(() =>
              createAllFresh(
                all.length,
                (i) => {
                  ensureDirs(all[i]!, all[i]!.length - 1)
                  return { file: abs(all[i]!), data: entries[i]!.data }
                },
                (i, cause) => storeError(entries[i]!.path)(cause),
                spares
              )
            ),
            (outcome) => outcome
          )
      ),
    createEmpty: (path) =>
      fileOp(path, (parts, file) => {
        ensureDirs(parts, parts.length - 1)
        return createEmptyFile(file)
      }),
    append: (path, data) =>
      fileOp(path, (parts, file) => {
        ensureDirs(parts, parts.length - 1)
        appendTo(file, data, uid)
      }),
    list: (dir) => dirOp(dir, (parts, file) => (checkDirs(parts, parts.length) ? listNames(file) : [])),
    stat: (path) =>
      fileOp(path, (parts, file) => {
        if (!checkDirs(parts, parts.length - 1)) return Option.none()
        try {
          const st = lstatSync(file, { throwIfNoEntry: false })
          if (st === undefined) return Option.none()
          return Option.some({
            size: st.size,
            mtimeMs: st.mtimeMs,
            mode: st.mode & 0o777,
            isDirectory: st.isDirectory(),
            isFile: st.isFile()
          })
        } catch (error) {
          if (isAbsent(error)) return Option.none()
          throw error
        }
      }),
    remove: (path) =>
      fileOp(path, (parts, file) => {
        if (!checkDirs(parts, parts.length - 1)) return false
        try {
          unlinkSync(file)
          return true
        } catch (error) {
          if (code(error) === "ENOENT") return false
          throw error
        }
      }),
    removeTree: (dir) =>
      Effect.flatMap(dirSegments(dir), (parts) =>
        io(dir, async () => {
          if (!checkDirs(parts, parts.length - 1)) return
          await fsPromises.rm(abs(parts), { recursive: true, force: true })
          const key = parts.join("/")
          for (const d of checkedDirs) if (key === "" || d === key || d.startsWith(key + "/")) checkedDirs.delete(d)
        })
      ),
    move: (from, to) =>
      Effect.flatMap(segments(to), (toParts) =>
        fileOp(from, (parts, file) => {
          checkDirs(parts, parts.length - 1)
          ensureDirs(toParts, toParts.length - 1)
          renameSync(file, abs(toParts))
        })
      ),
    subscribe: (dir, onChange) =>
      Effect.flatMap(dirSegments(dir), (parts) =>
        Effect.acquireRelease(
          ioSync(dir, () => {
            ensureDirs(parts, parts.length)
            return watchDirectory(abs(parts), dir, onChange)
          }),
          (stop) => Effect.sync(stop)
        )
      ).pipe(Effect.asVoid),
    repairModes: io(root, async () => {
      rootMode() // refuses a home that is not this user's before anything is changed
      const fixed = await repairModes(root, uid)
      checkRoot()
      return fixed
    }),
    staleTempFiles: (olderThanMs) => io(root, () => staleTempFiles(root, Date.now() - olderThanMs))
  }
}

/** The store on the real file system, rooted at `root` (created 0700 on first write). */
export const layerFileSystem = (root: string, options: FileSystemStoreOptions = {}): Layer.Layer<Store> =>
  Layer.sync(Store, () => make(root, options))
