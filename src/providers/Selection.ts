import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type BridgeFailure, ProviderUnknown } from "../domain/Errors.js"
import { runsInside } from "../hosts/index.js"
import { HostConfig } from "../services/HostConfig.js"
import { HostEnv } from "../services/HostEnv.js"
import type { Store } from "../services/store/Store.js"
import { type ContextOptions, makeContext } from "./Installer.js"
import { manifestPath, manifestsOf, readManifest } from "./Manifest.js"
import type { InstallContext, ProviderAdapter } from "./Provider.js"
import { findProvider, PROVIDERS } from "./Registry.js"

export interface Selection {
  readonly adapters: ReadonlyArray<ProviderAdapter>
  /** How they were chosen: named, --all, the host we run inside, or host configs found on disk. */
  readonly how: "named" | "all" | "env" | "installed"
}

/** True when one of the host's config folders exists on this machine. */
export const hostFound = (adapter: ProviderAdapter, ctx: InstallContext) =>
  Effect.flatMap(HostConfig, (hc) =>
    Effect.map(
      Effect.forEach(adapter.hostPaths(ctx), (p) =>
        Effect.orElseSucceed(
          Effect.map(hc.info(p), (i) => i.exists),
          () => false
        )
      ),
      (found) => found.some((x) => x)
    )
  )

/** The adapters `--provider`/`--all` name, else the host we run inside, else every host whose config exists (user scope only). */
export const selectProviders = (
  names: ReadonlyArray<string>,
  all: boolean
): Effect.Effect<Selection, BridgeFailure, HostEnv | HostConfig | Store> =>
  Effect.gen(function* () {
    if (all) return { adapters: PROVIDERS, how: "all" }
    if (names.length > 0) {
      const found = yield* Effect.forEach(names, findProvider)
      return { adapters: found.filter((a, i) => found.indexOf(a) === i), how: "named" }
    }
    const env = yield* HostEnv
    const inside = PROVIDERS.filter((p) => runsInside(p, env.get))
    if (inside.length > 0) return { adapters: inside, how: "env" }
    const installed: Array<ProviderAdapter> = []
    for (const p of PROVIDERS) {
      if (!p.scopes.includes("user")) continue
      const ctx = yield* makeContext(p, { scope: "user", projectDir: Option.none(), label: Option.none() })
      if (yield* hostFound(p, ctx)) installed.push(p)
    }
    if (installed.length > 0) return { adapters: installed, how: "installed" }
    return yield* new ProviderUnknown({
      message: "no host CLI detected: not running inside one, and no host config folder found",
      hint: "Name one with --provider <id> (see `session-bridge list-providers`), or use --all."
    })
  })

/** The context init uses: the scope asked for, and the label of an earlier install unless a new one is given. */
export const installContext = (adapter: ProviderAdapter, options: ContextOptions) =>
  Effect.gen(function* () {
    const first = yield* makeContext(adapter, options)
    if (Option.isSome(options.label)) return first
    const previous = yield* readManifest(manifestPath(adapter.id, first.scope, first.projectDir))
    const label = Option.flatMap(previous, (m) => Option.fromNullable(m.label))
    return Option.isSome(label) ? yield* makeContext(adapter, { ...options, label }) : first
  })

/** Every context an adapter was installed in (from its manifests), else its default one. */
export const installedContexts = (adapter: ProviderAdapter, projectDir: Option.Option<string>) =>
  Effect.gen(function* () {
    if (Option.isSome(projectDir))
      return [yield* installContext(adapter, { scope: "project", projectDir, label: Option.none() })]
    const manifests = yield* manifestsOf(adapter.id)
    if (manifests.length === 0)
      return [
        yield* makeContext(adapter, {
          scope: adapter.scopes.includes("user") ? "user" : "project",
          projectDir,
          label: Option.none()
        })
      ]
    return yield* Effect.forEach(manifests, ({ manifest }) =>
      makeContext(adapter, {
        scope: manifest.scope,
        projectDir: Option.fromNullable(manifest.projectDir),
        label: Option.fromNullable(manifest.label)
      })
    )
  })
