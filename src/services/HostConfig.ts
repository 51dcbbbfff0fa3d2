import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ConfigInvalid, ConfigUnwritable } from "../domain/Errors.js"

/** Host config files larger than this are refused: no real config is this big, and reading it whole would hurt. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024

/** What is at a host config path, without reading it. */
export interface HostFileInfo {
  readonly exists: boolean
  readonly isSymlink: boolean
  readonly isDirectory: boolean
  /** The file (or, when absent, its nearest existing parent directory) can be written by us. */
  readonly writable: boolean
  readonly size: number
  readonly mode: number
}

/**
 * The host CLIs' config files (absolute paths outside the bridge home): read whole, replaced atomically
 * (temp file beside it, fsync, rename; the old mode is kept), created with parents, removed.
 * Refuses what it must not touch: a symlink, a read-only file, a file over MAX_CONFIG_BYTES.
 */
export interface HostConfigShape {
  readonly info: (path: string) => Effect.Effect<HostFileInfo, ConfigInvalid | ConfigUnwritable>
  /** The file's text; None when it does not exist. CONFIG_INVALID when it is huge or not UTF-8 text. */
  readonly read: (path: string) => Effect.Effect<Option.Option<string>, ConfigInvalid | ConfigUnwritable>
  /** Atomic replace or create; `executable` makes a created file 0755. */
  readonly write: (
    path: string,
    text: string,
    options?: { readonly executable?: boolean }
  ) => Effect.Effect<void, ConfigInvalid | ConfigUnwritable>
  /** Removes a file; false when it was not there. */
  readonly remove: (path: string) => Effect.Effect<boolean, ConfigInvalid | ConfigUnwritable>
  /** Removes a folder only when it is empty (never a symlink); false when it is absent or holds anything. */
  readonly removeEmptyDir: (path: string) => Effect.Effect<boolean, ConfigInvalid | ConfigUnwritable>
}

export class HostConfig extends Context.Tag("session-bridge/HostConfig")<HostConfig, HostConfigShape>() {}

const missing: HostFileInfo = { exists: false, isSymlink: false, isDirectory: false, writable: true, size: 0, mode: 0 }

/** Fails unless `path` may be replaced or created by us: not a symlink, not a directory, writable. */
export const assertEditable = (
  info: HostFileInfo,
  path: string
): Effect.Effect<void, ConfigInvalid | ConfigUnwritable> => {
  if (info.isSymlink)
    return Effect.fail(
      new ConfigUnwritable({
        message: `${path} is a symbolic link; session-bridge only edits regular files (replacing it would break the link)`,
        hint: "Point the command at the link's target with the host's own config option, or replace the link by a copy, then rerun."
      })
    )
  if (info.isDirectory)
    return Effect.fail(
      new ConfigUnwritable({ message: `${path} is a directory, not a config file`, hint: "Move it aside, then rerun." })
    )
  if (!info.writable)
    return Effect.fail(
      new ConfigUnwritable({
        message: `${path} is not writable`,
        hint: "Make it (or its folder) writable by you, e.g. `chmod u+w <file>`, or run `init --dry-run` and apply the edit by hand."
      })
    )
  return Effect.void
}

export const tooLarge = (path: string, size: number) =>
  new ConfigInvalid({
    message: `${path} is ${size} bytes, over the ${MAX_CONFIG_BYTES} byte limit for a host config file`,
    hint: "Check that this is really the host's config file; trim it, then rerun."
  })

interface MemoryFile {
  readonly text: string
  readonly mode: number
  readonly symlink?: boolean
  readonly readonly?: boolean
}

/** Seed entries for the memory layer: text, or a file with flags (a symlink, a read-only file). */
export type MemorySeed = Record<string, string | MemoryFile>

/** In-memory host files for tests. `snapshot` returns every file's text, to compare byte-for-byte. */
export class MemoryHostConfig extends Context.Tag("session-bridge/MemoryHostConfig")<
  MemoryHostConfig,
  { readonly snapshot: Effect.Effect<Record<string, string>>; readonly modeOf: (path: string) => Effect.Effect<number> }
>() {}

export const makeMemory = (seed: MemorySeed = {}) =>
  Effect.gen(function* () {
    const initial = new Map<string, MemoryFile>()
    for (const [path, v] of Object.entries(seed))
      initial.set(path, typeof v === "string" ? { text: v, mode: 0o644 } : v)
    const files = yield* Ref.make(initial)
    const isDir = (m: Map<string, MemoryFile>, path: string) => [...m.keys()].some((k) => k.startsWith(path + "/"))

    const info: HostConfigShape["info"] = (path) =>
      Ref.get(files).pipe(
        Effect.map((m) => {
          const f = m.get(path)
          if (f === undefined) return isDir(m, path) ? { ...missing, exists: true, isDirectory: true } : missing
          return {
            exists: true,
            isSymlink: f.symlink === true,
            isDirectory: false,
            writable: f.readonly !== true,
            size: new TextEncoder().encode(f.text).length,
            mode: f.mode
          }
        })
      )
    const read: HostConfigShape["read"] = (path) =>
      Effect.gen(function* () {
        const i = yield* info(path)
        if (!i.exists || i.isDirectory) return Option.none()
        if (i.size > MAX_CONFIG_BYTES) return yield* tooLarge(path, i.size)
        return Option.map(Option.fromNullable((yield* Ref.get(files)).get(path)), (f) => f.text)
      })
    const write: HostConfigShape["write"] = (path, text, options) =>
      Effect.gen(function* () {
        yield* assertEditable(yield* info(path), path)
        const prior = (yield* Ref.get(files)).get(path)
        const mode = prior?.mode ?? (options?.executable === true ? 0o755 : 0o644)
        yield* Ref.update(files, (m) => new Map(m).set(path, { text, mode }))
      })
    const remove: HostConfigShape["remove"] = (path) =>
      Effect.gen(function* () {
        const i = yield* info(path)
        if (!i.exists) return false
        yield* assertEditable(i, path)
        yield* Ref.update(files, (m) => {
          const next = new Map(m)
          next.delete(path)
          return next
        })
        return true
      })
    // Folders exist here only while they hold a file, so an "empty folder" is one that is already gone.
    const removeEmptyDir: HostConfigShape["removeEmptyDir"] = () => Effect.succeed(false)
    const snapshot = Ref.get(files).pipe(Effect.map((m) => Object.fromEntries([...m].map(([k, v]) => [k, v.text]))))
    const modeOf = (path: string) => Ref.get(files).pipe(Effect.map((m) => m.get(path)?.mode ?? 0))
    return {
      service: HostConfig.of({ info, read, write, remove, removeEmptyDir }),
      memory: MemoryHostConfig.of({ snapshot, modeOf })
    }
  })

/** Memory host files seeded with `seed`; also provides MemoryHostConfig for inspection. */
export const layerMemory = (seed: MemorySeed = {}): Layer.Layer<HostConfig | MemoryHostConfig> =>
  Layer.effectContext(
    Effect.map(makeMemory(seed), ({ memory, service }) =>
      Context.make(HostConfig, service).pipe(Context.add(MemoryHostConfig, memory))
    )
  )
