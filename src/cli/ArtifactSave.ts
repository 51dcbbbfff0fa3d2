import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import { Artifacts } from "../bridge/Artifacts.js"
import { InvalidArgument } from "../domain/Errors.js"
import { HostEnv } from "../services/HostEnv.js"
import { listed } from "./Help.js"
import { formatBytes, inline, jsonOption, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

const sha = Args.text({ name: "sha256" }).pipe(Args.withDescription("The artifact's 64-hex sha256"))
const output = Options.text("output").pipe(
  Options.withAlias("o"),
  Options.withDescription("The file to write (default: the artifact's name, in the current folder)"),
  Options.optional
)
const force = Options.boolean("force").pipe(
  Options.withDescription("Replace an existing file (a link there is replaced, never followed)")
)

/** A stored name that is safe to use as a file name in the current folder, if it is one. */
const safeName = (name: string | undefined): Option.Option<string> =>
  name !== undefined && /^[A-Za-z0-9_+-][A-Za-z0-9 ._+-]{0,200}$/.test(name) ? Option.some(name) : Option.none()

const writeError = (target: string) => (e: { readonly message: string }) =>
  new InvalidArgument({
    message: `cannot write ${target}: ${e.message}`,
    hint: "Check the folder exists and is writable."
  })

/**
 * Writes `bytes` to `target` through a temporary file in the same folder. Without `force` the temporary file is
 * hard-linked to the target, which fails when anything (a file, a directory, a dangling link) is already there;
 * with `force` it is renamed over the target, which replaces a symbolic link instead of writing through it.
 */
const saveAtomically = (target: string, bytes: Uint8Array, replace: boolean) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${yield* Random.nextIntBetween(0, 1e9)}.tmp`
    )
    const removeTemp = fs.remove(temp).pipe(Effect.ignore)
    const exists = new InvalidArgument({
      message: `${target} already exists`,
      hint: "Pass --force to replace it, or -o to choose another file."
    })
    const place = replace
      ? fs.rename(temp, target)
      : fs.link(temp, target).pipe(
          Effect.catchIf(
            (e) => e._tag === "SystemError" && e.reason === "AlreadyExists",
            () => Effect.fail(exists)
          ),
          Effect.ensuring(removeTemp)
        )
    yield* fs.writeFile(temp, bytes, { flag: "wx", mode: 0o644 }).pipe(
      Effect.zipRight(place),
      Effect.mapError((e) => (e._tag === "InvalidArgument" ? e : writeError(target)(e))),
      Effect.tapError(() => removeTemp)
    )
  })

const save = Command.make("save", { sha, output, force, json: jsonOption }, ({ sha, output, force, json }) =>
  Effect.gen(function* () {
    const artifacts = yield* Artifacts
    const path = yield* Path.Path
    const host = yield* HostEnv
    const meta = yield* artifacts.meta(sha.trim().toLowerCase())
    const name = Option.isSome(output) ? output : safeName(meta.name)
    if (Option.isNone(name))
      return yield* usageError(
        `artifact ${meta.sha256.slice(0, 12)}… has no name usable as a file name`,
        "Choose the file with -o FILE."
      )
    const target = path.resolve(host.cwd, name.value)
    const bytes = yield* artifacts.bytes(meta.sha256)
    yield* saveAtomically(target, bytes, force)
    if (json) return yield* printJson({ sha256: meta.sha256, path: target, size: bytes.length })
    yield* printText(`Saved ${meta.sha256.slice(0, 12)}… (${formatBytes(bytes.length)}) to ${inline(target)}.`)
  })
).pipe(Command.withDescription("Write an artifact's bytes to a file (refuses to overwrite without --force)"))

const artifact = Command.make("artifact", {}, () =>
  printText("Usage: session-bridge artifact save <sha256> [-o FILE] [--force]")
).pipe(Command.withSubcommands([save]))

/** artifact save. */
export const artifactCommands = [listed("messaging", "Artifacts: save <sha256> [-o FILE]", artifact)] as const
