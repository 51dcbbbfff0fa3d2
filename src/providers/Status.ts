import * as PlatformCommand from "@effect/platform/Command"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { planInstall } from "./Installer.js"
import { manifestPath, readManifest } from "./Manifest.js"
import type { InstallContext, ProviderAdapter } from "./Provider.js"

export type InstallState = "installed" | "stale" | "not-installed" | "config-error"

export interface InstallStatus {
  readonly ctx: InstallContext
  readonly state: InstallState
  /** Files whose entries are missing or differ from what init would write now. */
  readonly pending: ReadonlyArray<string>
  readonly error?: string
}

/** Whether our entries are in place for one context: nothing to change means installed. */
export const installStatus = (adapter: ProviderAdapter, ctx: InstallContext) =>
  Effect.gen(function* () {
    const manifest = yield* readManifest(manifestPath(adapter.id, ctx.scope, ctx.projectDir))
    const plan = yield* Effect.either(planInstall(adapter, ctx))
    if (plan._tag === "Left")
      return {
        ctx,
        state: "config-error",
        pending: [],
        error: `${plan.left.code}: ${plan.left.message}`
      } satisfies InstallStatus
    const pending = plan.right.changes.map((c) => c.path)
    const state: InstallState = pending.length === 0 ? "installed" : Option.isSome(manifest) ? "stale" : "not-installed"
    return { ctx, state, pending } satisfies InstallStatus
  })

/** The first line of `<binary> --version`, when the binary is on PATH and answers within 20 s. */
export const hostVersion = (adapter: ProviderAdapter) =>
  adapter.binary === undefined
    ? Effect.succeed(Option.none<string>())
    : PlatformCommand.make(adapter.binary, "--version").pipe(
        PlatformCommand.stdin("inherit"),
        PlatformCommand.string,
        Effect.timeout(Duration.seconds(20)),
        Effect.map((out) => Option.fromNullable(out.trim().split("\n")[0]).pipe(Option.filter((s) => s !== ""))),
        Effect.orElseSucceed(() => Option.none<string>())
      )
