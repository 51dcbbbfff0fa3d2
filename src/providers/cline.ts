import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { clineHost } from "../hosts/cline.js"
import { HOST_HOOK_TIMEOUT_SEC, mcpCommand, SERVER_NAME } from "./Commands.js"
import { jsonEntryFile, ownedFile } from "./JsonFiles.js"
import { hookRunnerSource } from "./PluginSource.js"
import type { InstallContext, ProviderAdapter } from "./Provider.js"

const clineDir = (ctx: InstallContext) => Option.getOrElse(ctx.getEnv("CLINE_DIR"), () => `${ctx.home}/.cline`)
const settingsPath = (ctx: InstallContext) =>
  Option.getOrElse(
    ctx.getEnv("CLINE_MCP_SETTINGS_PATH"),
    () => `${clineDir(ctx)}/data/settings/cline_mcp_settings.json`
  )

/** The plugin: `beforeRun` runs the prompt hook and appends its text to the run's context. */
export const clinePlugin = (
  ctx: InstallContext
): string => `// session-bridge plugin for Cline. Written by \`session-bridge init\`; \`session-bridge uninstall\` removes it.
${hookRunnerSource(ctx, "cline", HOST_HOOK_TIMEOUT_SEC * 1000)}
const textOf = (content) =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((c) => (typeof c === "string" ? c : c?.text ?? "")).join("\\n") : ""

const started = new Set()

export default {
  name: "session-bridge",
  manifest: { capabilities: ["hooks"] },
  hooks: {
    beforeRun: async ({ snapshot }) => {
      const taskId = snapshot?.conversationId
      if (taskId !== undefined && !started.has(taskId)) {
        started.add(taskId)
        await runHook("SessionStart", { taskId, cwd: process.cwd() })
      }
      const last = [...(snapshot?.messages ?? [])].reverse().find((m) => m.role === "user")
      const context = await runHook("UserPromptSubmit", { taskId, cwd: process.cwd(), prompt: textOf(last?.content) })
      return context ? { appendContext: context } : undefined
    },
    afterRun: async ({ snapshot }) => {
      await runHook("Stop", { taskId: snapshot?.conversationId, cwd: process.cwd() })
    }
  }
}
`

export const cline: ProviderAdapter = {
  ...clineHost,
  binary: "cline",
  scopes: ["user"],
  injection: "plugin",
  identity: "taskId / conversationId from the hook payload or plugin snapshot",
  hostPaths: (ctx) => [clineDir(ctx)],
  files: (ctx) =>
    Effect.succeed([
      jsonEntryFile({
        path: settingsPath(ctx),
        role: "MCP server",
        allowComments: false,
        key: ["mcpServers", SERVER_NAME],
        value: { transport: { type: "stdio", ...mcpCommand(ctx), env: { ...ctx.bridgeEnv } } },
        prune: [["mcpServers"]]
      }),
      ownedFile({
        path: `${clineDir(ctx)}/plugins/session-bridge.js`,
        role: "plugin (session start and prompt-time inbox)",
        text: clinePlugin(ctx)
      })
    ]),
  notes: () => [
    "Cline's file hooks cannot add context at prompt time (they run detached), so the inbox arrives through the plugin in ~/.cline/plugins/."
  ]
}
