import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BridgeFailure } from "../domain/Errors.js"
import type { HostDescriptor, HostId } from "../hosts/index.js"
import type { HostConfig } from "../services/HostConfig.js"

/** The hosts session-bridge installs into: their ids and descriptors live in src/hosts/. */
export { HOST_IDS, type HostId } from "../hosts/index.js"

export type Scope = "user" | "project"

/** Everything an adapter needs to say what it would write. */
export interface InstallContext {
  readonly home: string
  /** The project folder for project-scope installs (`--project`, else the cwd). */
  readonly projectDir: string
  readonly scope: Scope
  /** Absolute node binary and entry script (dist/bin.js) that hosts must run. */
  readonly node: string
  readonly entry: string
  /** SESSION_BRIDGE_* variables every command we register must see (home, label). */
  readonly bridgeEnv: Readonly<Record<string, string>>
  /** The environment init runs in (CLAUDE_CONFIG_DIR, CODEX_HOME, XDG_CONFIG_HOME ...). */
  readonly getEnv: (name: string) => Option.Option<string>
}

/** Other files of the same plan: their text before the plan, and their new text (files earlier in the list). */
export interface PlanView {
  readonly original: (path: string) => Option.Option<string>
  readonly planned: (path: string) => Option.Option<string>
}

/** One file an adapter owns entries in. */
export interface ManagedFile {
  readonly path: string
  /** What our entries there are for ("MCP server", "hooks", "hook trust", "plugin", "instructions"). */
  readonly role: string
  readonly executable?: boolean
  /** The file's text with our entries in place (equal to `current` when nothing needs to change). */
  readonly install: (current: Option.Option<string>, view: PlanView) => Effect.Effect<string, BridgeFailure>
  /** The file's text with our entries removed. */
  readonly uninstall: (current: string, view: PlanView) => Effect.Effect<string, BridgeFailure>
  /** True when the text holds nothing worth keeping (an empty object, an empty file). */
  readonly isEmpty: (text: string) => boolean
}

/** A problem doctor reports, with what to do about it. */
export interface Finding {
  readonly level: "ok" | "warn" | "error"
  readonly message: string
  readonly remedy?: string
}

/** One host's install plan: its descriptor (id, name, tier, markers) and what `init` writes into its config. */
export interface ProviderAdapter extends HostDescriptor {
  readonly id: HostId
  /** The host's executable, for `--version`. */
  readonly binary?: string
  readonly scopes: ReadonlyArray<Scope>
  /** How inbound messages reach the model: real hooks, an in-process plugin, or only static instructions. */
  readonly injection: "hooks" | "plugin" | "instructions"
  /** Where the session id comes from (docs and doctor). */
  readonly identity: string
  /** Folders or files whose presence means the host is set up on this machine. */
  readonly hostPaths: (ctx: InstallContext) => ReadonlyArray<string>
  readonly files: (ctx: InstallContext) => Effect.Effect<ReadonlyArray<ManagedFile>, BridgeFailure, HostConfig>
  /** Said by `init` after installing (limits, next steps). */
  readonly notes: (ctx: InstallContext) => ReadonlyArray<string>
  /** Host-specific doctor checks (hook trust, folder trust). */
  readonly check?: (ctx: InstallContext) => Effect.Effect<ReadonlyArray<Finding>, BridgeFailure, HostConfig>
}
