import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import { Housekeeping, inventoryOf, type StoredFile } from "../bridge/Housekeeping.js"
import { StoreIo } from "../domain/Errors.js"
import { INSTALLS_DIR } from "../providers/Manifest.js"
import { Store } from "../services/store/Store.js"
import { formatBytes, jsonOption, plural, printErrorText, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

const storeIo = (path: string) => (cause: { readonly message: string }) =>
  new StoreIo({
    message: `i/o error at ${path}: ${cause.message}`,
    hint: "Check that $SESSION_BRIDGE_HOME is writable by you; run `session-bridge doctor`."
  })

/**
 * Takes the home out of use in one step: renames it to a hidden sibling, which no writer knows. Writers that
 * run meanwhile start a fresh home; nothing they write is half-deleted. None when the home is not a directory
 * of its own on disk (absent, a symbolic link, or the memory store).
 */
const moveHomeAside = (root: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const info = yield* Effect.option(fs.stat(root))
    if (Option.isNone(info) || info.value.type !== "Directory") return Option.none<string>()
    if (Option.isSome(yield* Effect.option(fs.readLink(root)))) return Option.none<string>()
    const suffix = (yield* Random.nextInt).toString(36).replace("-", "")
    const aside = path.join(path.dirname(root), `.${path.basename(root)}.purge-${suffix}`)
    yield* fs.rename(root, aside).pipe(Effect.mapError(storeIo(root)))
    return Option.some(aside)
  })

/** Every file below a directory on disk, as relative paths with sizes; entries that vanish are skipped. */
const filesUnder = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const out: Array<StoredFile> = []
    for (const rel of yield* fs.readDirectory(dir, { recursive: true }).pipe(Effect.mapError(storeIo(dir)))) {
      const info = yield* Effect.option(fs.stat(path.join(dir, rel)))
      if (Option.isSome(info) && info.value.type === "File")
        out.push({ path: rel.split(path.sep).join("/"), size: Number(info.value.size) })
    }
    return out
  })

/** Files that are not install records: the ones purge deletes. */
const notRecords = <F extends StoredFile>(files: ReadonlyArray<F>): Array<F> =>
  files.filter((f) => f.path.split("/")[0] !== INSTALLS_DIR)

/**
 * Deletes every entry of the store but the install records in place, going over it again while writers add
 * entries (at most 5 times).
 */
const emptyInPlace = Effect.gen(function* () {
  const store = yield* Store
  const files = notRecords(yield* Effect.flatMap(Housekeeping, (h) => h.files("")))
  for (let pass = 0; pass < 5; pass++) {
    const names = (yield* store.list("")).filter((n) => n !== INSTALLS_DIR)
    if (names.length === 0) break
    for (const name of names) {
      const st = yield* store.stat(name)
      if (Option.exists(st, (s) => s.isDirectory)) yield* Effect.ignore(store.removeTree(name))
      else yield* store.remove(name)
    }
  }
  return files
})

/**
 * Puts the install records of a home moved aside back into the live home, before anything is deleted: a failure
 * here stops the purge with the moved-aside home still whole.
 */
const restoreRecords = (root: string, aside: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const from = path.join(aside, INSTALLS_DIR)
    if (!(yield* fs.exists(from).pipe(Effect.orElseSucceed(() => false)))) return
    // The home itself stays (0700), unless a writer has already started a fresh one.
    yield* Effect.ignore(fs.makeDirectory(root, { mode: 0o700 }))
    yield* fs.rename(from, path.join(root, INSTALLS_DIR)).pipe(
      Effect.mapError(
        (e) =>
          new StoreIo({
            message: `could not keep the install records: ${e.message}; nothing was deleted, the home is at ${aside}`,
            hint: `Move ${aside} back to ${root}, then rerun purge.`
          })
      )
    )
  })

/**
 * Deletes everything under the home except the install records (installs/: what init wrote into host configs and
 * the backups uninstall restores): moved aside first, the records put back, then counted and removed (or, where
 * it cannot be moved, emptied in place). Returns what was deleted and whether the home was moved aside.
 */
const purgeHome = Effect.gen(function* () {
  const store = yield* Store
  const fs = yield* FileSystem.FileSystem
  const aside = yield* moveHomeAside(store.root)
  if (Option.isNone(aside)) return { files: yield* emptyInPlace, movedAside: false }
  yield* restoreRecords(store.root, aside.value)
  const files = yield* filesUnder(aside.value)
  yield* fs.remove(aside.value, { recursive: true }).pipe(Effect.mapError(storeIo(aside.value)))
  yield* Effect.ignore(fs.makeDirectory(store.root, { mode: 0o700 }))
  return { files, movedAside: true }
})

const KEPT =
  "Kept the install records (installs/): host CLI configs are untouched; `session-bridge uninstall --all` removes what init added."

const yes = Options.boolean("yes").pipe(Options.withAlias("y"), Options.withDescription("Do not ask for confirmation"))

export const purgeCommand = Command.make("purge", { yes, json: jsonOption }, ({ yes, json }) =>
  Effect.gen(function* () {
    const store = yield* Store
    const housekeeping = yield* Housekeeping
    const terminal = yield* Terminal.Terminal
    if (!yes) {
      const inv = inventoryOf(notRecords(yield* housekeeping.files("")))
      const summary =
        `This deletes everything under ${store.root} but the install records: ${plural(inv.sessions, "session")}, ${plural(inv.inboxMessages, "inbox message")}, ` +
        `${plural(inv.broadcasts, "broadcast")}, ${plural(inv.channels, "channel")}, ${plural(inv.artifacts, "artifact")} ` +
        `(${plural(inv.files, "file")}, ${formatBytes(inv.bytes)}). Host CLI configs are not touched; run \`session-bridge uninstall --all\` first to remove session-bridge from them.`
      if (!(yield* terminal.isTTY)) {
        return yield* usageError(
          "purge needs confirmation and there is no terminal to ask on",
          "Pass --yes to delete all local state without asking."
        )
      }
      yield* printErrorText(summary)
      const ok = yield* Prompt.confirm({ message: "Delete all of it?", initial: false }).pipe(
        Effect.catchTag("QuitException", () => Effect.succeed(false))
      )
      if (!ok) return yield* printErrorText("Nothing deleted.")
    }
    const { files, movedAside } = yield* purgeHome
    const deleted = inventoryOf(files)
    const kept = (yield* housekeeping.files(INSTALLS_DIR)).length
    if (json) return yield* printJson({ home: store.root, deleted, movedAside, keptInstallRecords: kept })
    yield* printText(
      `Deleted ${plural(deleted.files, "file")} (${formatBytes(deleted.bytes)}) under ${store.root}` +
        (movedAside ? " (moved aside first, so writers running meanwhile started afresh)." : ".")
    )
    yield* printText(KEPT)
  })
)
