import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { requireLabel } from "../domain/Names.js"
import { applyInstall, planInstall } from "../providers/Installer.js"
import { installContext, selectProviders } from "../providers/Selection.js"
import { listed } from "./Help.js"
import { jsonOption, printJson } from "./Output.js"
import {
  allOption,
  dryRunOption,
  planJson,
  printPlan,
  projectOption,
  providerOption,
  refuseProviderWithAll,
  resolveProject
} from "./ProviderReport.js"

const labelOption = Options.text("label").pipe(
  Options.optional,
  Options.withDescription("Label for the sessions this host starts (passed to them as SESSION_BRIDGE_LABEL)")
)

const initCommand = Command.make(
  "init",
  {
    provider: providerOption,
    all: allOption,
    label: labelOption,
    project: projectOption,
    dryRun: dryRunOption,
    json: jsonOption
  },
  ({ all, dryRun, json, label, project, provider }) =>
    Effect.gen(function* () {
      yield* refuseProviderWithAll(provider, all)
      // A label is checked before anything is planned: a host config carrying a bad one would break every hook run.
      const checked = yield* Effect.transposeOption(Option.map(label, (l) => requireLabel(l, "--label")))
      const projectDir = yield* resolveProject(project)
      const selection = yield* selectProviders(provider, all)
      // Plan every provider first: a broken config anywhere stops the run before anything is written.
      const plans = yield* Effect.forEach(selection.adapters, (adapter) =>
        Effect.flatMap(
          installContext(adapter, {
            scope: Option.isSome(projectDir) ? "project" : "user",
            projectDir,
            label: checked
          }),
          (ctx) => planInstall(adapter, ctx)
        )
      )
      if (!dryRun) yield* Effect.forEach(plans, applyInstall, { discard: true })
      if (json) {
        return yield* printJson({
          dryRun,
          detectedBy: selection.how,
          providers: plans.map((p) => ({ ...planJson(p, dryRun), tier: p.adapter.tier, notes: p.adapter.notes(p.ctx) }))
        })
      }
      if (selection.how === "env")
        yield* Console.log(`Detected from the environment: ${plans.map((p) => p.adapter.id).join(", ")}`)
      if (selection.how === "installed")
        yield* Console.log(`Found host configs for: ${plans.map((p) => p.adapter.id).join(", ")}`)
      for (const plan of plans) {
        yield* printPlan(plan, dryRun, "install")
        if (Option.isSome(projectDir) && !plan.adapter.scopes.includes("project"))
          yield* Console.log(`  note: ${plan.adapter.name} has no project scope here; installed for your user instead.`)
        for (const note of plan.adapter.notes(plan.ctx)) yield* Console.log(`  note: ${note}`)
      }
      if (!dryRun && plans.some((p) => p.changes.length > 0))
        yield* Console.log(
          "Restart open sessions of these CLIs to load session-bridge; `session-bridge doctor` checks the install."
        )
    })
)

export const initCommands = [
  listed(
    "providers",
    "Register the MCP server and hooks with host CLIs (auto-detected, or --provider / --all)",
    initCommand
  )
] as const
