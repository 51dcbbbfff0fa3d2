import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { StoreError } from "../../domain/Errors.js"

/** A change seen under a watched directory: the entry name that appeared, changed or went away. */
export interface StoreChange {
  readonly dir: string
  readonly name: string
}

/** What is at a path, never following a link: a link or a FIFO is neither a file nor a directory. */
export interface StoreStat {
  readonly size: number
  readonly mtimeMs: number
  readonly mode: number
  readonly isDirectory: boolean
  readonly isFile: boolean
}

/** A file's first bytes and its whole size (StoreShape.readHead). */
export interface StoreHead {
  readonly bytes: Uint8Array
  readonly size: number
}

/** One mode `repairModes` changed: the store path ("" for the home itself), the old and the new mode. */
export interface ModeRepair {
  readonly path: string
  readonly from: number
  readonly to: number
}

/**
 * One file of a `readTexts` call: its text, none when missing, or the error that file alone met (refused as
 * unsafe, over the size cap, unreadable), which names that file.
 */
export type StoredText = Either.Either<Option.Option<string>, StoreError>

/**
 * Files under the bridge home, addressed by relative POSIX paths ("inbox/<id>/<msg>.json").
 * Every segment is validated: no "..", no absolute paths, no NUL or control characters.
 * Directories are 0700, files 0600; every write is atomic.
 *
 * A hostile or broken home cannot wedge, escape or loosen it (docs/store.md): a read opens only a regular file,
 * never follows a link and never waits on a FIFO, and reads at most its cap (`MAX_RECORD_BYTES` unless the caller
 * gives another); every directory on a path must be a real directory, not a link; what is refused fails with
 * reason "Unsafe" naming that path. A home owned by another user is refused.
 */
/** A file to create: its store path and its whole content. */
export interface StoreFile {
  readonly path: string
  readonly data: Uint8Array | string
}

export interface StoreShape {
  /** Where the store lives (a directory path, or "memory:"). */
  readonly root: string
  /** A whole file; a file over `maxBytes` (default MAX_RECORD_BYTES) fails "Unsafe" without being read. */
  readonly read: (path: string, maxBytes?: number) => Effect.Effect<Option.Option<Uint8Array>, StoreError>
  readonly readText: (path: string, maxBytes?: number) => Effect.Effect<Option.Option<string>, StoreError>
  /** A file's first `maxBytes` bytes and its size, whatever its size (what inspect prints). */
  readonly readHead: (path: string, maxBytes: number) => Effect.Effect<Option.Option<StoreHead>, StoreError>
  /**
   * Several records (each at most MAX_RECORD_BYTES) as UTF-8 text in one call, in order: none for each missing
   * one, and an error for each that could not be read, so one bad file does not hide the others. Reading many
   * small records (an inbox) this way costs one step instead of one per file. An invalid path fails the call.
   */
  readonly readTexts: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StoredText>, StoreError>
  /** Atomic replace: temp file in the same directory, fsync, rename. */
  readonly write: (path: string, data: Uint8Array | string) => Effect.Effect<void, StoreError>
  /**
   * Atomic create that never overwrites: true when created, false when the path already existed. The whole file
   * is visible from the moment it is linked; the call returns once it is also fsynced (ADR-0049).
   */
  readonly createExclusive: (path: string, data: Uint8Array | string) => Effect.Effect<boolean, StoreError>
  /**
   * `createExclusive` of several files in turn, each visible as soon as it is linked, stopping at the first whose
   * name is taken: one flag per file tried (the last false when one was taken). The call returns once every file it
   * created is fsynced, their flushes waited for together, so N files cost about one disk flush, not N. When a flush
   * fails the call fails, and the files stay (the caller removes what it created, as after any failure).
   */
  readonly createExclusiveAll: (files: ReadonlyArray<StoreFile>) => Effect.Effect<ReadonlyArray<boolean>, StoreError>
  /**
   * Creates an empty file only if absent (a marker): true when created, false when it already existed. One
   * exclusive open, no temp file: an empty file cannot be seen half-written.
   */
  readonly createEmpty: (path: string) => Effect.Effect<boolean, StoreError>
  /** Append one chunk (a JSON line) to a log file. */
  readonly append: (path: string, data: string) => Effect.Effect<void, StoreError>
  /** Entry names in a directory, sorted; [] when it does not exist. Temp files are never listed. */
  readonly list: (dir: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
  readonly stat: (path: string) => Effect.Effect<Option.Option<StoreStat>, StoreError>
  /** Removes a file; true when it existed. */
  readonly remove: (path: string) => Effect.Effect<boolean, StoreError>
  /** Removes a directory and everything below it. */
  readonly removeTree: (dir: string) => Effect.Effect<void, StoreError>
  /** Atomic rename within the store; the target's parent is created. */
  readonly move: (from: string, to: string) => Effect.Effect<void, StoreError>
  /**
   * Calls `onChange` for every change directly under `dir` (created if missing) until the scope closes. The
   * subscription is live when this returns: nothing that lands afterwards is missed. `onChange` must not throw.
   * (StoreWatch.watch offers the same as a Stream.)
   */
  readonly subscribe: (
    dir: string,
    onChange: (change: StoreChange) => void
  ) => Effect.Effect<void, StoreError, Scope.Scope>
  /** Sets every directory under the home to 0700 and every file to 0600; returns what it changed. */
  readonly repairModes: Effect.Effect<ReadonlyArray<ModeRepair>, StoreError>
  /** Temp files left behind by interrupted writers, older than `olderThanMs`. */
  readonly staleTempFiles: (olderThanMs: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
}

export class Store extends Context.Tag("session-bridge/Store")<Store, StoreShape>() {}

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600
export const TEMP_PREFIX = ".tmp-"
/**
 * The most a record (session, message, pointer, marker, lock, ...) may hold. A message body is at most 64 KiB of
 * UTF-8, six times that once JSON-escaped at worst, plus its other fields: 1 MiB leaves room and still bounds
 * what a planted file can cost a reader.
 */
export const MAX_RECORD_BYTES = 1024 * 1024
