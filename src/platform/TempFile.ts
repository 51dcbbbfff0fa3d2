import { closeSync, constants, fchmodSync, fsync as fsyncWithCallback, openSync, unlinkSync, writeSync } from "node:fs"
import { join } from "node:path"

/*
 * The one way a file is written whole: a fresh temp file beside it, fsynced, then renamed or linked into place.
 * The store writes its records so (src/platform/store/), and the host config writer the hosts' files
 * (src/platform/NodeHostConfig.ts). The hook's boot file keeps its own write: it may load Node built-ins only, and
 * it writes at process exit, where nothing asynchronous runs (src/platform/HookBoot.ts).
 */

const code = (cause: unknown): string | undefined => (cause as NodeJS.ErrnoException | undefined)?.code

/** Exclusive create that never follows a symbolic link at the last component. */
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/** An empty temp file made ahead (SpareTempFiles.ts), open for writing: `fd` on the file named `tmp`. */
export interface SpareFile {
  readonly tmp: string
  readonly fd: number
}

export interface SpareTempFiles {
  /**
   * The spare of `dir`, now the caller's; none when it has none, or when the spare is too old or no longer what
   * its name names (gc removed it, or something else took its name): that one is dropped.
   */
  readonly take: (dir: string) => SpareFile | undefined
  /** Makes a spare in `dir` in the background, unless it has one or one is being made. */
  readonly refill: (dir: string) => void
  /** Removes every spare; none is made after. */
  readonly close: () => void
}

export interface TempFileOptions {
  /** The temp file's name starts with this (the store's own prefix, so that gc finds a crash's leftover). */
  readonly prefix: string
  /** The file's mode, set exactly whatever the umask. */
  readonly mode: number
  /**
   * Place the written file first, then fsync it (the promise still settles only once the data is on disk). For a
   * create that never replaces anything (a link to a fresh name): readers see the whole file as soon as it is
   * written, instead of one disk flush later. A replace (rename over an existing file) must not use it: a crash
   * before the flush could leave the old content replaced by an empty file.
   */
  readonly syncAfterPlace?: boolean | undefined
  /**
   * Empty temp files made ahead (SpareTempFiles.ts): a write into a directory that has one writes into it instead
   * of creating a file, and the directory gets its next one once the write is done. For paths in one file system
   * with `dir` only (the store's home): the spare is linked or renamed into place like a fresh temp file.
   */
  readonly spares?: SpareTempFiles | undefined
}

let tempCount = 0
/**
 * A temp file name unique among live processes (pid, a per-process count) and, against a dead process's leftover
 * with the same pid, random enough; withTempFile retries the rare name already taken. (No node:crypto: loading it
 * costs the hook, which runs on every prompt, about as much as its own work.)
 */
export const tempName = (prefix: string) =>
  `${prefix}${process.pid}-${(++tempCount).toString(36)}-${Math.random().toString(36).slice(2, 10)}`

/** Removes a file; one that is already gone is fine. */
export const unlinkQuietly = (file: string): void => {
  try {
    unlinkSync(file)
  } catch (error) {
    if (code(error) !== "ENOENT") throw error
  }
}

const fsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fsyncWithCallback(fd, (error) => (error ? reject(error) : resolve())))

const writeAll = (fd: number, data: Uint8Array | string) => {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
}

/**
 * A temp file in `dir` holding `data`, its descriptor open: the directory's spare when it has one, else a fresh one
 * (exclusive, exactly `mode` whatever the umask).
 */
const writeTemp = (dir: string, data: Uint8Array | string, options: TempFileOptions): SpareFile => {
  const spare = options.spares?.take(dir)
  if (spare !== undefined) {
    try {
      writeAll(spare.fd, data)
    } catch (error) {
      release(spare.fd, spare.tmp)
      throw error
    }
    return spare
  }
  let tmp = ""
  let fd = -1
  for (let attempt = 0; fd < 0; attempt++) {
    tmp = join(dir, tempName(options.prefix))
    try {
      fd = openSync(tmp, CREATE_FLAGS, options.mode)
    } catch (error) {
      if (code(error) !== "EEXIST" || attempt >= 4) throw error
    }
  }
  try {
    fchmodSync(fd, options.mode)
    writeAll(fd, data)
  } catch (error) {
    release(fd, tmp)
    throw error
  }
  return { tmp, fd }
}

const release = (fd: number, tmp: string) => {
  try {
    closeSync(fd)
  } finally {
    unlinkQuietly(tmp)
  }
}

/**
 * Writes `data` to a fresh temp file in `dir` (exclusive, exactly `mode` whatever the umask), fsynced, then hands
 * its path to `place` (rename or link into position); with `syncAfterPlace`, placed first and fsynced after. The
 * temp file is removed unless `place` kept it; the descriptor is closed in every case. Only the fsync, which waits
 * for the disk, goes through the thread pool.
 */
export const withTempFile = async <A>(
  dir: string,
  data: Uint8Array | string,
  place: (tmp: string) => A,
  options: TempFileOptions
): Promise<A> => {
  if (options.syncAfterPlace === true) {
    const { placed, synced } = placeBeforeSync(dir, data, place, options)
    await synced
    return placed
  }
  const { tmp, fd } = writeTemp(dir, data, options)
  try {
    await fsync(fd)
    return place(tmp)
  } finally {
    release(fd, tmp)
    options.spares?.refill(dir)
  }
}

/**
 * `syncAfterPlace` in two halves: the file is written and placed before this returns (`placed`), and `synced`
 * settles once its data is on disk (the descriptor closed and the temp file removed then, whatever the outcome).
 * For creates under fresh names only; several of them can then wait for their flushes at once.
 */
export const placeBeforeSync = <A>(
  dir: string,
  data: Uint8Array | string,
  place: (tmp: string) => A,
  options: TempFileOptions
): { readonly placed: A; readonly synced: Promise<void> } => {
  const { tmp, fd } = writeTemp(dir, data, options)
  let placed: A
  try {
    placed = place(tmp)
  } catch (error) {
    release(fd, tmp)
    options.spares?.refill(dir)
    throw error
  }
  const synced = fsync(fd).finally(() => {
    release(fd, tmp)
    options.spares?.refill(dir)
  })
  return { placed, synced }
}
