import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type BridgeFailure, StoreIo } from "../domain/Errors.js"
import { formatIso } from "../domain/UtcTime.js"
import { assertEditable, HostConfig, MAX_CONFIG_BYTES } from "../services/HostConfig.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"
import {
  backupPath,
  type InstallManifest,
  type ManifestFile,
  manifestPath,
  readManifest,
  sha256,
  writeManifest
} from "./Manifest.js"
import type { InstallContext, ManagedFile, PlanView, ProviderAdapter, Scope } from "./Provider.js"

/** One file a plan changes. `after` None: the file is removed. */
export interface FileChange {
  readonly path: string
  readonly role: string
  readonly before: Option.Option<string>
  readonly after: Option.Option<string>
  readonly executable: boolean
}

export interface Plan {
  readonly adapter: ProviderAdapter
  readonly ctx: InstallContext
  readonly manifestPath: string
  readonly manifest: Option.Option<InstallManifest>
  /** Only files whose text changes. */
  readonly changes: ReadonlyArray<FileChange>
  /** Every file the adapter owns entries in. */
  readonly files: ReadonlyArray<ManagedFile>
}

export interface ContextOptions {
  readonly scope: Scope
  readonly projectDir: Option.Option<string>
  readonly label: Option.Option<string>
}

/** The context for an adapter: absolute node + entry, the bridge home and label hosts must pass on. */
export const makeContext = (adapter: ProviderAdapter, options: ContextOptions) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const store = yield* Store
    const scope: Scope = adapter.scopes.includes(options.scope) ? options.scope : (adapter.scopes[0] ?? "user")
    const bridgeEnv: Record<string, string> = {}
    const home = Option.orElse(env.get("SESSION_BRIDGE_HOME"), () =>
      store.root.startsWith("/") ? Option.some(store.root) : Option.none()
    )
    if (Option.isSome(home)) bridgeEnv["SESSION_BRIDGE_HOME"] = home.value
    if (Option.isSome(options.label)) bridgeEnv["SESSION_BRIDGE_LABEL"] = options.label.value
    const ctx: InstallContext = {
      home: env.home,
      projectDir: Option.getOrElse(options.projectDir, () => env.cwd),
      scope,
      node: env.execPath,
      entry: env.entryPath,
      bridgeEnv,
      getEnv: env.get
    }
    return ctx
  })

const readAll = (files: ReadonlyArray<ManagedFile>) =>
  Effect.gen(function* () {
    const hc = yield* HostConfig
    const original = new Map<string, Option.Option<string>>()
    for (const f of files) if (!original.has(f.path)) original.set(f.path, yield* hc.read(f.path))
    return original
  })

const viewOf = (
  original: Map<string, Option.Option<string>>,
  planned: Map<string, Option.Option<string>>
): PlanView => ({
  original: (p) => original.get(p) ?? Option.none(),
  planned: (p) => planned.get(p) ?? original.get(p) ?? Option.none()
})

/** Fails before anything is written when a file to change is a symlink, read-only or a directory. */
const checkEditable = (changes: ReadonlyArray<FileChange>) =>
  Effect.flatMap(HostConfig, (hc) =>
    Effect.forEach(changes, (c) => Effect.flatMap(hc.info(c.path), (info) => assertEditable(info, c.path)), {
      discard: true
    })
  )

/** What `init` would change for this adapter, computed from the files as they are now. */
export const planInstall = (adapter: ProviderAdapter, ctx: InstallContext) =>
  Effect.gen(function* () {
    const files = yield* adapter.files(ctx)
    const original = yield* readAll(files)
    const planned = new Map<string, Option.Option<string>>()
    const view = viewOf(original, planned)
    for (const f of files) planned.set(f.path, Option.some(yield* f.install(view.planned(f.path), view)))
    const changes = files.flatMap((f): Array<FileChange> => {
      const before = original.get(f.path) ?? Option.none()
      const after = planned.get(f.path) ?? Option.none()
      return Option.getEquivalence((a: string, b: string) => a === b)(before, after)
        ? []
        : [{ path: f.path, role: f.role, before, after, executable: f.executable === true }]
    })
    yield* checkEditable(changes)
    const path = manifestPath(adapter.id, ctx.scope, ctx.projectDir)
    const manifest = yield* readManifest(path)
    return { adapter, ctx, manifestPath: path, manifest, changes, files } satisfies Plan
  })

/** What `uninstall` would change: a file init created goes, an edited file untouched since comes back byte-for-byte, else only our entries go. */
export const planUninstall = (adapter: ProviderAdapter, ctx: InstallContext) =>
  Effect.gen(function* () {
    const store = yield* Store
    const path = manifestPath(adapter.id, ctx.scope, ctx.projectDir)
    const manifest = yield* readManifest(path)
    const files = yield* adapter.files(ctx)
    const recorded = new Map<string, ManifestFile>(
      Option.match(manifest, { onNone: () => [], onSome: (m) => m.files.map((f) => [f.path, f] as const) })
    )
    const original = yield* readAll(files)
    const planned = new Map<string, Option.Option<string>>()
    const view = viewOf(original, planned)
    for (const f of files) {
      const current = view.planned(f.path)
      if (Option.isNone(current)) continue
      const entry = recorded.get(f.path)
      if (entry !== undefined && sha256(current.value) === entry.writtenSha256) {
        if (entry.created) {
          planned.set(f.path, Option.none())
          continue
        }
        const backup =
          entry.backup === undefined ? Option.none() : yield* store.readText(entry.backup, MAX_CONFIG_BYTES)
        if (Option.isSome(backup) && sha256(backup.value) === entry.priorSha256) {
          planned.set(f.path, backup)
          continue
        }
      }
      const after = yield* f.uninstall(current.value, view)
      const removable = f.isEmpty(after) && (entry?.created === true || after.trim() === "")
      planned.set(f.path, removable ? Option.none() : Option.some(after))
    }
    const changes = files.flatMap((f): Array<FileChange> => {
      const before = original.get(f.path) ?? Option.none()
      const after = planned.get(f.path) ?? before
      return Option.getEquivalence((a: string, b: string) => a === b)(before, after)
        ? []
        : [{ path: f.path, role: f.role, before, after, executable: f.executable === true }]
    })
    yield* checkEditable(changes)
    return { adapter, ctx, manifestPath: path, manifest, changes, files } satisfies Plan
  })

const writeChange = (c: FileChange) =>
  Effect.flatMap(HostConfig, (hc) =>
    Option.match(c.after, {
      onNone: () => Effect.asVoid(hc.remove(c.path)),
      onSome: (text) => hc.write(c.path, text, { executable: c.executable })
    })
  )

const parentOf = (path: string): string => path.slice(0, Math.max(path.lastIndexOf("/"), 1))

/** The folders above each created file that do not exist yet, deepest first: the ones writing it will create. */
const missingFolders = (changes: ReadonlyArray<FileChange>) =>
  Effect.gen(function* () {
    const hc = yield* HostConfig
    const out = new Set<string>()
    for (const c of changes) {
      if (Option.isSome(c.before) || Option.isNone(c.after)) continue
      for (let dir = parentOf(c.path); dir !== "/" && !out.has(dir); dir = parentOf(dir)) {
        if ((yield* hc.info(dir)).exists) break
        out.add(dir)
      }
    }
    return out
  })

/** Deepest first, so a folder's subfolders go before it. */
const deepestFirst = (dirs: Iterable<string>): Array<string> =>
  [...new Set(dirs)].sort((a, b) => b.split("/").length - a.split("/").length || b.localeCompare(a))

/** Backs up every file it edits (never overwriting a backup), writes the changes, records them in the manifest. */
export const applyInstall = (plan: Plan): Effect.Effect<void, BridgeFailure, HostConfig | Store> =>
  Effect.gen(function* () {
    if (plan.changes.length === 0) return
    const store = yield* Store
    const previous = new Map<string, ManifestFile>(
      Option.match(plan.manifest, { onNone: () => [], onSome: (m) => m.files.map((f) => [f.path, f] as const) })
    )
    const entries = new Map(previous)
    for (const c of plan.changes) {
      const after = Option.getOrElse(c.after, () => "")
      const prior = previous.get(c.path)
      const untouchedSince = prior !== undefined && Option.exists(c.before, (b) => sha256(b) === prior.writtenSha256)
      if (untouchedSince) {
        entries.set(c.path, { ...prior, writtenSha256: sha256(after) })
        continue
      }
      if (Option.isNone(c.before)) {
        entries.set(c.path, { path: c.path, role: c.role, created: true, writtenSha256: sha256(after) })
        continue
      }
      const priorSha = sha256(c.before.value)
      const backup = backupPath(plan.adapter.id, priorSha, c.path)
      yield* store.createExclusive(backup, c.before.value)
      const kept = yield* store.readText(backup, MAX_CONFIG_BYTES)
      if (!Option.exists(kept, (k) => sha256(k) === priorSha))
        return yield* new StoreIo({
          message: `backup ${backup} does not match ${c.path}`,
          hint: "Move the backup aside and rerun."
        })
      entries.set(c.path, {
        path: c.path,
        role: c.role,
        created: false,
        priorSha256: priorSha,
        backup,
        writtenSha256: sha256(after)
      })
    }
    const created = yield* missingFolders(plan.changes)
    const dirs = deepestFirst([
      ...Option.match(plan.manifest, { onNone: () => [], onSome: (m) => m.dirs ?? [] }),
      ...created
    ])
    for (const c of plan.changes) yield* writeChange(c)
    const now = formatIso(yield* DateTime.now)
    const manifest: InstallManifest = {
      v: 1,
      provider: plan.adapter.id,
      scope: plan.ctx.scope,
      ...(plan.ctx.scope === "project" ? { projectDir: plan.ctx.projectDir } : {}),
      ...(plan.ctx.bridgeEnv["SESSION_BRIDGE_LABEL"] !== undefined
        ? { label: plan.ctx.bridgeEnv["SESSION_BRIDGE_LABEL"] }
        : {}),
      updatedAt: now,
      files: [...entries.values()],
      ...(dirs.length > 0 ? { dirs } : {})
    }
    yield* writeManifest(plan.manifestPath, manifest)
  })

/**
 * Writes the uninstall changes, removes the folders init created that are now empty (only those: a folder that
 * holds anything, or that was there before init, stays), and drops the manifest. Returns the folders removed.
 */
export const applyUninstall = (plan: Plan): Effect.Effect<ReadonlyArray<string>, BridgeFailure, HostConfig | Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const hc = yield* HostConfig
    for (const c of plan.changes) yield* writeChange(c)
    const recorded = Option.match(plan.manifest, { onNone: () => [], onSome: (m) => m.dirs ?? [] })
    const removed: Array<string> = []
    for (const dir of deepestFirst(recorded)) if (yield* hc.removeEmptyDir(dir)) removed.push(dir)
    yield* store.remove(plan.manifestPath)
    return removed
  })
