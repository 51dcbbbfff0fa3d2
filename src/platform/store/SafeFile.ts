import { closeSync, constants, fchmodSync, fstatSync, openSync, readSync, writeSync } from "node:fs"
import { FILE_MODE, TEMP_PREFIX } from "../../services/store/Store.js"
import type { SpareTempFiles } from "../TempFile.js"
import { CREATE_FLAGS, placeBeforeSync as placeThroughTemp, withTempFile as writeThroughTemp } from "../TempFile.js"

/**
 * The file calls every store operation is made of, each bounded: nothing here follows a symbolic link at the
 * last component, opens a FIFO or device in a way that can block, or reads more than the caller's cap.
 */

export const code = (cause: unknown): string | undefined => (cause as NodeJS.ErrnoException | undefined)?.code

/** A store entry refused for what it is (a link, a FIFO, a directory where a file belongs, too large, ...). */
export class Refused extends Error {
  constructor(
    readonly detail: string,
    /** The store path (or the home's path) refused, when it is not the path asked for. */
    readonly at?: string
  ) {
    super(detail)
  }
}

/** Missing, or a parent that is not a directory: the entry simply is not there. */
export const isAbsent = (error: unknown): boolean => code(error) === "ENOENT" || code(error) === "ENOTDIR"

const { O_RDONLY, O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants
/** Never follows a link at the last component, never waits for a FIFO's writer. */
const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK
const APPEND_FLAGS = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK

const describeMode = (mode: number): string => {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR:
      return "a directory"
    case constants.S_IFIFO:
      return "a FIFO"
    case constants.S_IFCHR:
    case constants.S_IFBLK:
      return "a device"
    case constants.S_IFSOCK:
      return "a socket"
    case constants.S_IFLNK:
      return "a symbolic link"
    default:
      return "not a regular file"
  }
}

/** What a path holds, as a refusal names it. */
export const kindOf = (mode: number): string => describeMode(mode)

/** Opens an existing file for reading; a symbolic link at the last component is refused. */
const openRead = (file: string): number => {
  try {
    return openSync(file, READ_FLAGS)
  } catch (error) {
    if (code(error) === "ELOOP" || code(error) === "EMLINK") throw new Refused("a symbolic link")
    throw error
  }
}

/** Reads up to `length` bytes from the start of `fd`. */
const readUpTo = (fd: number, length: number): Uint8Array => {
  const buffer = Buffer.allocUnsafe(length)
  let got = 0
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, got)
    if (n === 0) break
    got += n
  }
  return got === length ? buffer : buffer.subarray(0, got)
}

/**
 * Sets a file we own to 0600 through its descriptor (no path is followed): when group or others may use it, or,
 * for a file being written (`exact`), whenever it is not 0600 (a umask may have taken the owner's write bit).
 */
const tighten = (fd: number, mode: number, uid: number, ownerUid: number | undefined, exact = false): void => {
  const off = exact ? (mode & 0o777) !== FILE_MODE : (mode & 0o077) !== 0
  if (off && (ownerUid === undefined || uid === ownerUid)) fchmodSync(fd, FILE_MODE)
}

export interface Head {
  readonly bytes: Uint8Array
  /** The whole file's size, which may be more than `bytes` holds. */
  readonly size: number
}

/**
 * A regular file's first `maxBytes` bytes and its size; undefined when absent. `whole` refuses a file larger
 * than `maxBytes` instead of cutting it. One open, one fstat, one read for a small file.
 */
export const readHead = (
  file: string,
  maxBytes: number,
  whole: boolean,
  ownerUid: number | undefined
): Head | undefined => {
  let fd: number
  try {
    fd = openRead(file)
  } catch (error) {
    if (isAbsent(error)) return undefined
    throw error
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new Refused(describeMode(st.mode))
    if (whole && st.size > maxBytes) throw new Refused(`${st.size} bytes, over the ${maxBytes} bytes it may hold`)
    tighten(fd, st.mode, st.uid, ownerUid)
    return { bytes: readUpTo(fd, Math.min(st.size, maxBytes)), size: st.size }
  } finally {
    closeSync(fd)
  }
}

/** Appends `data` to a regular file (created 0600 if absent); a link, FIFO or device is refused. */
export const appendTo = (file: string, data: string, ownerUid: number | undefined): void => {
  let fd: number
  try {
    fd = openSync(file, APPEND_FLAGS, FILE_MODE)
  } catch (error) {
    if (code(error) === "ELOOP" || code(error) === "EMLINK") throw new Refused("a symbolic link")
    if (code(error) === "ENXIO" || code(error) === "EISDIR") throw new Refused("not a regular file")
    throw error
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new Refused(describeMode(st.mode))
    tighten(fd, st.mode, st.uid, ownerUid, true)
    const bytes = Buffer.from(data, "utf8")
    let done = 0
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
  } finally {
    closeSync(fd)
  }
}

/** Creates an empty file exclusively, exactly 0600 whatever the umask; false when the name is taken. */
export const createEmptyFile = (file: string): boolean => {
  let fd: number
  try {
    fd = openSync(file, CREATE_FLAGS, FILE_MODE)
  } catch (error) {
    if (code(error) === "EEXIST") return false
    throw error
  }
  try {
    fchmodSync(fd, FILE_MODE)
  } finally {
    closeSync(fd)
  }
  return true
}

/**
 * A store file written whole: through a temp file named with the store's prefix (the directory's spare when
 * `spares` has one), exactly 0600. With `syncAfterPlace` (exclusive creates only) it is placed before its fsync,
 * which the promise still waits for.
 */
export const withTempFile = <A>(
  dir: string,
  data: Uint8Array | string,
  place: (tmp: string) => A,
  syncAfterPlace = false,
  spares?: SpareTempFiles
): Promise<A> => writeThroughTemp(dir, data, place, { prefix: TEMP_PREFIX, mode: FILE_MODE, syncAfterPlace, spares })

/** A store file placed under a fresh name before its fsync, which `synced` waits for (TempFile.ts). */
export const placeBeforeSync = <A>(
  dir: string,
  data: Uint8Array | string,
  place: (tmp: string) => A,
  spares?: SpareTempFiles
) => placeThroughTemp(dir, data, place, { prefix: TEMP_PREFIX, mode: FILE_MODE, spares })
