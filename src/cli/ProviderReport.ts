import * as nodePath from "node:path"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HostEnv } from "../services/HostEnv.js"
import { unifiedDiff } from "../providers/Diff.js"
import type { FileChange, Plan } from "../providers/Installer.js"
import { tildify } from "./Output.js"
import { usageError } from "./Runtime.js"

export const providerOption = Options.text("provider").pipe(
  Options.repeated,
  Options.withDescription(
    "A host to act on (repeatable): claude-code, codex, grok, opencode, gemini-cli, cursor, cline"
  )
)
export const allOption = Options.boolean("all").pipe(Options.withDescription("Every supported host"))
export const dryRunOption = Options.boolean("dry-run").pipe(
  Options.withDescription("Print the exact edits as a unified diff; write nothing")
)
export const projectOption = Options.text("project").pipe(
  Options.optional,
  Options.withDescription("Use the host's project scope for this folder (e.g. --project .) where the host has one")
)

/** `--provider` and `--all` say different things: refuse the pair rather than silently pick one (exit 2). */
export const refuseProviderWithAll = (provider: ReadonlyArray<string>, all: boolean) =>
  all && provider.length > 0
    ? Effect.fail(
        usageError(
          "--provider and --all cannot both be given",
          "Name hosts with --provider <id> (repeatable), or use --all for every supported host."
        )
      )
    : Effect.void

/** `--project` made absolute against the cwd. */
export const resolveProject = (project: Option.Option<string>) =>
  Effect.map(HostEnv, (env) => Option.map(project, (p) => nodePath.posix.resolve(env.cwd, p)))

export const actionOf = (c: FileChange): "created" | "edited" | "removed" =>
  Option.isNone(c.before) ? "created" : Option.isNone(c.after) ? "removed" : "edited"

/** The JSON shape of one provider's plan. */
export const planJson = (plan: Plan, dryRun: boolean) => ({
  provider: plan.adapter.id,
  scope: plan.ctx.scope,
  ...(plan.ctx.scope === "project" ? { projectDir: plan.ctx.projectDir } : {}),
  changed: plan.changes.length > 0,
  changes: plan.changes.map((c) => ({
    path: c.path,
    role: c.role,
    action: actionOf(c),
    ...(dryRun ? { diff: unifiedDiff(c.path, Option.getOrUndefined(c.before), Option.getOrUndefined(c.after)) } : {})
  }))
})

/** Human lines for one provider's plan (with diffs on a dry run). */
export const printPlan = (plan: Plan, dryRun: boolean, verb: "install" | "uninstall") =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const where = plan.ctx.scope === "project" ? ` (project ${tildify(plan.ctx.projectDir, env.home)})` : ""
    const head = `${plan.adapter.id}${where}`
    if (plan.changes.length === 0) {
      yield* Console.log(
        verb === "install"
          ? `${head}: already installed, nothing to change`
          : `${head}: nothing of session-bridge found, nothing to change`
      )
      return
    }
    yield* Console.log(
      `${head}: ${dryRun ? "would change" : "changed"} ${plan.changes.length} file${plan.changes.length === 1 ? "" : "s"}`
    )
    for (const c of plan.changes) {
      const action = actionOf(c)
      yield* Console.log(
        `  ${(dryRun ? `would be ${action}` : action).padEnd(16)} ${tildify(c.path, env.home)}  (${c.role})`
      )
      if (dryRun)
        yield* Console.log(
          unifiedDiff(c.path, Option.getOrUndefined(c.before), Option.getOrUndefined(c.after)).replace(/\n$/, "")
        )
    }
  })
