import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { StoreError } from "../domain/Errors.js"

/** A change seen under a watched directory: the entry name that appeared, changed or went away. */
export interface StoreChange {
  readonly dir: string
  readonly name: string
}

export interface StoreStat {
  readonly size: number
  readonly mtimeMs: number
  readonly mode: number
  readonly isDirectory: boolean
}

/**
 * Files under the bridge home, addressed by relative POSIX paths ("inbox/<id>/<msg>.json").
 * Every segment is validated: no "..", no absolute paths, no NUL or control characters.
 * Directories are 0700, files 0600; every write is atomic.
 */
export interface StoreShape {
  /** Where the store lives (a directory path, or "memory:"). */
  readonly root: string
  readonly read: (path: string) => Effect.Effect<Option.Option<Uint8Array>, StoreError>
  readonly readText: (path: string) => Effect.Effect<Option.Option<string>, StoreError>
  /**
   * Several files as UTF-8 text in one call, in order; none for each missing one. Reading many small records
   * (an inbox) this way costs one step instead of one per file. Any invalid path fails the whole call.
   */
  readonly readTexts: (paths: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<string>>, StoreError>
  /** Atomic replace: temp file in the same directory, fsync, rename. */
  readonly write: (path: string, data: Uint8Array | string) => Effect.Effect<void, StoreError>
  /** Atomic create that never overwrites: true when created, false when the path already existed. */
  readonly createExclusive: (path: string, data: Uint8Array | string) => Effect.Effect<boolean, StoreError>
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
  /** Tightens looser modes found anywhere under the home; returns how many were fixed. */
  readonly repairModes: Effect.Effect<number, StoreError>
  /** Temp files left behind by interrupted writers, older than `olderThanMs`. */
  readonly staleTempFiles: (olderThanMs: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
}

export class Store extends Context.Tag("session-bridge/Store")<Store, StoreShape>() {}

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600
export const TEMP_PREFIX = ".tmp-"
