import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { runsInside } from "../hosts/index.js"
import { hookEvents, SERVER_NAME } from "../providers/Commands.js"
import { printJson as printJsonFile } from "../providers/JsonEdit.js"
import { PROVIDERS } from "../providers/Registry.js"
import { hostFound, installedContexts } from "../providers/Selection.js"
import { hostVersion, installStatus } from "../providers/Status.js"
import { HostConfig } from "../services/HostConfig.js"
import { HostEnv } from "../services/HostEnv.js"
import { VERSION } from "../Version.js"
import { listed } from "./Help.js"
import { formatTable, jsonOption, printJson } from "./Output.js"
import { progress } from "./Progress.js"
import { resolveProject } from "./ProviderReport.js"

const listProvidersCommand = Command.make("list-providers", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    yield* progress(`checking ${PROVIDERS.length} host CLIs (configs and versions)`)
    const rows = yield* Effect.forEach(
      PROVIDERS,
      (adapter) =>
        Effect.gen(function* () {
          const contexts = yield* installedContexts(adapter, Option.none())
          const statuses = yield* Effect.forEach(contexts, (ctx) => installStatus(adapter, ctx))
          const version = yield* hostVersion(adapter)
          const found = (yield* hostFound(adapter, contexts[0]!)) || Option.isSome(version)
          return {
            id: adapter.id,
            name: adapter.name,
            tier: adapter.tier,
            injection: adapter.injection,
            detected: runsInside(adapter, env.get),
            hostFound: found,
            installed: statuses.map((s) => ({
              scope: s.ctx.scope,
              ...(s.ctx.scope === "project" ? { projectDir: s.ctx.projectDir } : {}),
              state: s.state
            })),
            version: Option.getOrNull(version)
          }
        }),
      { concurrency: "unbounded" }
    )
    if (json) return yield* printJson(rows)
    yield* Console.log(
      formatTable(
        ["PROVIDER", "TIER", "INBOX VIA", "DETECTED", "HOST FOUND", "SESSION-BRIDGE", "VERSION"],
        rows.map((r) => [
          r.id,
          String(r.tier),
          r.injection,
          r.detected ? "yes" : "no",
          r.hostFound ? "yes" : "no",
          r.installed.map((s) => (s.scope === "project" ? `${s.state} (project)` : s.state)).join(", "),
          r.version ?? "-"
        ])
      )
    )
  })
)

/** The Claude Code marketplace plugin: manifest, hooks and MCP server, run through `session-bridge` on PATH. */
export const pluginFiles = (): Record<string, string> => {
  const command = (event: string) => `session-bridge hook ${event} --provider claude-code`
  const hooks: Record<string, unknown> = {}
  for (const { event, timeout } of hookEvents("claude-code"))
    hooks[event] = [{ hooks: [{ type: "command", command: command(event), timeout }] }]
  return {
    ".claude-plugin/plugin.json": printJsonFile({
      name: SERVER_NAME,
      version: VERSION,
      description: "Let coding-agent sessions on this machine message each other and share files.",
      license: "MIT",
      keywords: ["mcp", "messaging", "sessions"]
    }),
    "hooks/hooks.json": printJsonFile({ hooks: hooks as Record<string, never> }),
    ".mcp.json": printJsonFile({ mcpServers: { [SERVER_NAME]: { command: "session-bridge", args: ["mcp"] } } })
  }
}

const outOption = Options.text("out").pipe(
  Options.optional,
  Options.withDescription("Folder to write the plugin into (else print the files as JSON)")
)

const emitManifestCommand = Command.make("emit-manifest", { out: outOption }, ({ out }) =>
  Effect.gen(function* () {
    const files = pluginFiles()
    const dir = yield* resolveProject(out)
    if (Option.isNone(dir)) return yield* printJson(files)
    const hc = yield* HostConfig
    for (const [name, text] of Object.entries(files)) yield* hc.write(`${dir.value}/${name}`, text)
    yield* Console.log(`Wrote the Claude Code plugin to ${dir.value}: ${Object.keys(files).join(", ")}`)
    yield* Console.log(
      "It runs `session-bridge` from PATH: install the package globally (npm i -g) on machines that use it."
    )
  })
).pipe(Command.withDescription("Write the Claude Code marketplace plugin (plugin.json, hooks/hooks.json, .mcp.json)"))

const pluginCommand = Command.make("plugin").pipe(Command.withSubcommands([emitManifestCommand]))

export const providersCommands = [
  listed("providers", "List supported host CLIs: tier, detected, installed, version", listProvidersCommand),
  listed("providers", "Claude Code plugin files: plugin emit-manifest [--out dir]", pluginCommand)
] as const
