import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as nodePath from "node:path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ConfigInvalid, ConfigUnwritable } from "../domain/Errors.js"
import {
  assertEditable,
  HostConfig,
  type HostConfigShape,
  type HostFileInfo,
  MAX_CONFIG_BYTES,
  tooLarge
} from "../services/HostConfig.js"
import { withTempFile } from "./TempFile.js"

const errno = (cause: unknown): string | undefined => (cause as NodeJS.ErrnoException | undefined)?.code

const ioError = (path: string, cause: unknown) =>
  errno(cause) === "EACCES" || errno(cause) === "EPERM" || errno(cause) === "EROFS"
    ? new ConfigUnwritable({
        message: `cannot write ${path}: ${errno(cause)}`,
        hint: "Make the file and its folder writable by you, then rerun."
      })
    : new ConfigUnwritable({
        message: `cannot access ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
        hint: "Check the path and its permissions, then rerun."
      })

const attempt = <A>(path: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => ioError(path, cause) })

const canWrite = async (path: string): Promise<boolean> => {
  try {
    await fsp.access(path, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** The nearest existing ancestor directory of `path`. */
const existingParent = async (path: string): Promise<string> => {
  let dir = nodePath.dirname(path)
  for (;;) {
    try {
      await fsp.stat(dir)
      return dir
    } catch {
      const up = nodePath.dirname(dir)
      if (up === dir) return dir
      dir = up
    }
  }
}

const statInfo = async (path: string): Promise<HostFileInfo> => {
  let st: fs.Stats
  try {
    st = await fsp.lstat(path)
  } catch (error) {
    if (errno(error) !== "ENOENT" && errno(error) !== "ENOTDIR") throw error
    return {
      exists: false,
      isSymlink: false,
      isDirectory: false,
      writable: await canWrite(await existingParent(path)),
      size: 0,
      mode: 0
    }
  }
  // A file without its owner's write bit is read-only on purpose, even for root (who may write anyway).
  const writable = (st.mode & 0o200) !== 0 && (await canWrite(path)) && (await canWrite(nodePath.dirname(path)))
  return {
    exists: true,
    isSymlink: st.isSymbolicLink(),
    isDirectory: st.isDirectory(),
    writable,
    size: st.size,
    mode: st.mode & 0o7777
  }
}

const info: HostConfigShape["info"] = (path) => attempt(path, () => statInfo(path))

const decoder = new TextDecoder("utf-8", { fatal: true })

const read: HostConfigShape["read"] = (path) =>
  Effect.gen(function* () {
    const i = yield* info(path)
    if (!i.exists || i.isDirectory) return Option.none()
    if (i.size > MAX_CONFIG_BYTES) return yield* tooLarge(path, i.size)
    const bytes = yield* attempt(path, () => fsp.readFile(path))
    if (bytes.length > MAX_CONFIG_BYTES) return yield* tooLarge(path, bytes.length)
    return yield* Effect.try({
      try: () => Option.some(decoder.decode(bytes)),
      catch: () =>
        new ConfigInvalid({
          message: `${path} is not UTF-8 text`,
          hint: "Check that this is really the host's config file."
        })
    })
  })

/** Replaces the file whole (a fresh temp file beside it, fsynced, renamed over it), keeping `mode`. */
const writeAtomic = async (path: string, text: string, mode: number): Promise<void> => {
  await fsp.mkdir(nodePath.dirname(path), { recursive: true })
  await withTempFile(nodePath.dirname(path), text, (tmp) => fs.renameSync(tmp, path), {
    prefix: `.${nodePath.basename(path)}.sb-`,
    mode
  })
}

const write: HostConfigShape["write"] = (path, text, options) =>
  Effect.gen(function* () {
    const i = yield* info(path)
    yield* assertEditable(i, path)
    const mode = i.exists ? i.mode : options?.executable === true ? 0o755 : 0o644
    yield* attempt(path, () => writeAtomic(path, text, mode))
  })

const remove: HostConfigShape["remove"] = (path) =>
  Effect.gen(function* () {
    const i = yield* info(path)
    if (!i.exists) return false
    yield* assertEditable(i, path)
    yield* attempt(path, () => fsp.rm(path))
    return true
  })

const removeEmptyDir: HostConfigShape["removeEmptyDir"] = (path) =>
  Effect.gen(function* () {
    const i = yield* info(path)
    if (!i.exists || i.isSymlink || !i.isDirectory) return false
    return yield* attempt(path, () =>
      fsp.rmdir(path).then(
        () => true,
        (error: unknown) => {
          if (errno(error) === "ENOTEMPTY" || errno(error) === "EEXIST" || errno(error) === "ENOENT") return false
          throw error
        }
      )
    )
  })

/** Host config files on the real file system. */
export const layer: Layer.Layer<HostConfig> = Layer.succeed(
  HostConfig,
  HostConfig.of({ info, read, write, remove, removeEmptyDir })
)
