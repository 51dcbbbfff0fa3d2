import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { readJson, writeJson } from "../services/store/Documents.js"
import { Store } from "../services/store/Store.js"
import type { HostId, Scope } from "./Provider.js"

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** One file `init` touched: whether it created it, what was there before, what it wrote. */
export const ManifestFile = Schema.Struct({
  path: Schema.String,
  role: Schema.String,
  created: Schema.Boolean,
  /** sha256 of the text before the first edit (edited files only). */
  priorSha256: Schema.optional(Schema.String),
  /** Store path of the backup of that text. */
  backup: Schema.optional(Schema.String),
  /** sha256 of the text `init` last wrote. */
  writtenSha256: Schema.String
})
export type ManifestFile = typeof ManifestFile.Type

/** installs/<id>.json: what `init` did for one provider and scope, so `uninstall` can undo exactly that. */
export const InstallManifest = Schema.Struct({
  v: Schema.Literal(1),
  provider: Schema.String,
  scope: Schema.Literal("user", "project"),
  projectDir: Schema.optional(Schema.String),
  /** The --label given to init, so a later init or doctor computes the same entries. */
  label: Schema.optional(Schema.String),
  updatedAt: Schema.String,
  files: Schema.Array(ManifestFile),
  /** Folders that did not exist before `init` wrote into them; `uninstall` removes those left empty. */
  dirs: Schema.optional(Schema.Array(Schema.String))
})
export type InstallManifest = typeof InstallManifest.Type

export const INSTALLS_DIR = "installs"

export const manifestPath = (provider: HostId, scope: Scope, projectDir: string): string =>
  scope === "user"
    ? `${INSTALLS_DIR}/${provider}.json`
    : `${INSTALLS_DIR}/${provider}.project-${sha256(projectDir).slice(0, 12)}.json`

export const backupPath = (provider: HostId, sha: string, file: string): string =>
  `${INSTALLS_DIR}/backups/${provider}/${sha.slice(0, 16)}-${(file.split("/").pop() ?? "file").replace(/[^A-Za-z0-9._-]/g, "_")}`

export const readManifest = (path: string) => readJson(path, InstallManifest)

export const writeManifest = (path: string, manifest: InstallManifest) => writeJson(path, InstallManifest, manifest)

/** Every manifest of one provider (user scope and each project). */
export const manifestsOf = (provider: HostId) =>
  Effect.gen(function* () {
    const store = yield* Store
    const names = (yield* store.list(INSTALLS_DIR)).filter(
      (n) => n === `${provider}.json` || (n.startsWith(`${provider}.project-`) && n.endsWith(".json"))
    )
    const found = yield* Effect.forEach(names, (n) =>
      Effect.map(readManifest(`${INSTALLS_DIR}/${n}`), (m) => ({ path: `${INSTALLS_DIR}/${n}`, manifest: m }))
    )
    return found.flatMap(({ manifest, path }) => (Option.isSome(manifest) ? [{ path, manifest: manifest.value }] : []))
  })
