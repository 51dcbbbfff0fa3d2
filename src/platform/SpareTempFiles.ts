import { close, closeSync, fchmod, fchmodSync, fstatSync, lstatSync, open, openSync, unlink, unlinkSync } from "node:fs"
import { join } from "node:path"
import { CREATE_FLAGS, type SpareFile, type SpareTempFiles } from "./TempFile.js"

/*
 * Empty temp files made ahead, at most one per directory, for the writes of a long-lived process (ADR-0074).
 * Creating a file makes the file system allocate an inode, and in a process that sat idle that was the largest
 * single step of a local delivery (about 1 ms of the sender's 3); a write that finds a spare in its directory only
 * writes its data into it, then links or renames it into place as before. The next spare is made in the
 * background (libuv's pool) once a write into that directory is done.
 */

export interface SpareTempFilesOptions {
  /** A fresh temp file name (TempFile.ts): the store's prefix, so that gc finds a crash's leftover. */
  readonly name: () => string
  /** The mode the spares are made with, exactly, whatever the umask. */
  readonly mode: number
  /** How many directories keep a spare; the one written into least recently loses its spare first. */
  readonly maxDirs?: number | undefined
  /** How long a spare is kept: well under the hour after which `session-bridge gc` removes a temp file. */
  readonly maxAgeMs?: number | undefined
  /** A monotonic clock in milliseconds. */
  readonly now?: (() => number) | undefined
  /** False: a spare is made at once, on this thread (tests, so that every write into a directory written into before finds one). */
  readonly inBackground?: boolean | undefined
}

const ignore = () => {}

/**
 * The pools still open, closed at the latest when the process exits: a process that exits before its layers are
 * released (its release took longer than it may, or it was stopped by a signal) leaves no spare behind.
 */
const openPools = new Set<() => void>()
let closedAtExit = false
const closeAtExit = (closeAll: () => void) => {
  openPools.add(closeAll)
  if (closedAtExit) return
  closedAtExit = true
  process.once("exit", () => {
    // A pool removes itself from the set as it closes; a Set goes on to the next entry when the current one leaves.
    for (const closeOne of openPools) closeOne()
  })
}

interface Spare extends SpareFile {
  readonly madeAt: number
}

/** Whether `tmp` still names the empty file open as `fd`, and nothing else names it. */
const stillNamed = (spare: SpareFile): boolean => {
  try {
    const open = fstatSync(spare.fd)
    const named = lstatSync(spare.tmp)
    return open.dev === named.dev && open.ino === named.ino && open.nlink === 1 && open.size === 0
  } catch {
    return false
  }
}

/** Closes a spare, and removes its name only while that name is still the spare's. */
const drop = (spare: SpareFile): void => {
  const named = stillNamed(spare)
  try {
    closeSync(spare.fd)
    if (named) unlinkSync(spare.tmp)
  } catch {
    // Already gone: gc or the directory's removal took it.
  }
}

export const make = (options: SpareTempFilesOptions): SpareTempFiles => {
  const maxDirs = options.maxDirs ?? 8
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000
  const now = options.now ?? (() => performance.now())
  /** By directory, the least recently written first. */
  const spares = new Map<string, Spare>()
  /** The temp file being made in each directory that is getting one. */
  const making = new Map<string, string>()
  let closed = false

  const take = (dir: string): SpareFile | undefined => {
    const spare = spares.get(dir)
    if (spare === undefined) return undefined
    spares.delete(dir)
    if (now() - spare.madeAt > maxAgeMs || !stillNamed(spare)) {
      drop(spare)
      return undefined
    }
    return spare
  }

  const keep = (dir: string, spare: Spare) => {
    if (spares.size >= maxDirs) {
      const [oldest] = spares
      if (oldest !== undefined) {
        spares.delete(oldest[0])
        drop(oldest[1])
      }
    }
    spares.set(dir, spare)
  }

  const refill = (dir: string): void => {
    if (closed || spares.has(dir) || making.has(dir)) return
    const tmp = join(dir, options.name())
    if (options.inBackground === false) {
      let fd: number
      try {
        fd = openSync(tmp, CREATE_FLAGS, options.mode)
      } catch {
        return // No spare then: the next write makes its own temp file.
      }
      try {
        fchmodSync(fd, options.mode)
      } catch {
        return drop({ tmp, fd })
      }
      return keep(dir, { tmp, fd, madeAt: now() })
    }
    making.set(dir, tmp)
    open(tmp, CREATE_FLAGS, options.mode, (error, fd) => {
      if (error !== null) return void making.delete(dir)
      fchmod(fd, options.mode, (failed) => {
        making.delete(dir)
        if (failed === null && !closed) return keep(dir, { tmp, fd, madeAt: now() })
        close(fd, ignore)
        unlink(tmp, ignore)
      })
    })
  }

  const closeAll = () => {
    if (closed) return
    closed = true
    openPools.delete(closeAll)
    for (const spare of spares.values()) drop(spare)
    spares.clear()
    // One being made is removed by its own callback, unless the process exits first: its name goes now.
    for (const tmp of making.values()) {
      try {
        unlinkSync(tmp)
      } catch {
        // Not created yet (its callback removes it), or already gone.
      }
    }
  }
  closeAtExit(closeAll)

  return { take, refill, close: closeAll }
}
