import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { applyUninstall, planUninstall } from "../providers/Installer.js"
import { findProvider, PROVIDERS } from "../providers/Registry.js"
import { installedContexts } from "../providers/Selection.js"
import { listed } from "./Help.js"
import { HostEnv } from "../services/HostEnv.js"
import { jsonOption, printJson, printText, tildify } from "./Output.js"
import { usageError } from "./Runtime.js"
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

const uninstallCommand = Command.make(
  "uninstall",
  { provider: providerOption, all: allOption, project: projectOption, dryRun: dryRunOption, json: jsonOption },
  ({ all, dryRun, json, project, provider }) =>
    Effect.gen(function* () {
      yield* refuseProviderWithAll(provider, all)
      if (!all && provider.length === 0)
        return yield* usageError(
          "name a host with --provider <id>, or use --all",
          "See `session-bridge list-providers` for the ids."
        )
      const adapters = all ? PROVIDERS : yield* Effect.forEach(provider, findProvider)
      const projectDir = yield* resolveProject(project)
      const contexts = yield* Effect.forEach(adapters, (a) =>
        Effect.map(installedContexts(a, projectDir), (cs) => cs.map((ctx) => ({ a, ctx })))
      )
      const plans = yield* Effect.forEach(contexts.flat(), ({ a, ctx }) => planUninstall(a, ctx))
      const removed = dryRun ? plans.map(() => []) : yield* Effect.forEach(plans, applyUninstall)
      if (json)
        return yield* printJson({
          dryRun,
          providers: plans.map((p, i) => ({ ...planJson(p, dryRun), removedFolders: removed[i] ?? [] }))
        })
      const env = yield* HostEnv
      yield* Effect.forEach(
        plans,
        (p, i) =>
          Effect.gen(function* () {
            yield* printPlan(p, dryRun, "uninstall")
            for (const dir of removed[i] ?? [])
              yield* printText(
                `  ${"removed folder".padEnd(16)} ${tildify(dir, env.home)}  (created by init, now empty)`
              )
          }),
        { discard: true }
      )
    })
)

export const uninstallCommands = [
  listed(
    "providers",
    "Remove exactly what init added (files it created go; edited files come back as they were)",
    uninstallCommand
  )
] as const
