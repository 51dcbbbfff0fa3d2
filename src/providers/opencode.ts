import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HostConfig } from "../services/HostConfig.js"
import { opencodeHost } from "../hosts/opencode.js"
import { HOST_HOOK_TIMEOUT_SEC, mcpCommand, SERVER_NAME } from "./Commands.js"
import { jsonEntryFile, ownedFile } from "./JsonFiles.js"
import { hookRunnerSource } from "./PluginSource.js"
import type { InstallContext, ProviderAdapter } from "./Provider.js"

const globalDir = (ctx: InstallContext) =>
  `${Option.getOrElse(ctx.getEnv("XDG_CONFIG_HOME"), () => `${ctx.home}/.config`)}/opencode`

/** The plugin: registers the session, and adds the inbox to each user message as a synthetic text part. */
export const opencodePlugin = (
  ctx: InstallContext
): string => `// session-bridge plugin for opencode. Written by \`session-bridge init\`; \`session-bridge uninstall\` removes it.
${hookRunnerSource(ctx, "opencode", HOST_HOOK_TIMEOUT_SEC * 1000)}
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
let lastTime = 0
let counter = 0
/** An ascending part id in opencode's own format: prt_ + 12 hex (time, counter) + 14 base62. */
const partId = () => {
  const now = Date.now()
  counter = now === lastTime ? counter + 1 : 0
  lastTime = now
  const hex = (BigInt(now) * 0x1000n + BigInt(counter)).toString(16).padStart(12, "0").slice(-12)
  let rand = ""
  for (let i = 0; i < 14; i++) rand += ALPHABET[Math.floor(Math.random() * 62)]
  return "prt_" + hex + rand
}

export const SessionBridge = async ({ directory }) => ({
  event: async ({ event }) => {
    if (event?.type === "session.created") await runHook("SessionStart", { sessionID: event.properties?.info?.id, cwd: directory })
    if (event?.type === "session.idle") await runHook("Stop", { sessionID: event.properties?.sessionID, cwd: directory })
    if (event?.type === "session.deleted") await runHook("SessionEnd", { sessionID: event.properties?.info?.id, cwd: directory })
  },
  "chat.message": async (input, output) => {
    const prompt = (output.parts ?? []).filter((p) => p.type === "text").map((p) => p.text).join("\\n")
    const sessionID = output.message?.sessionID ?? input.sessionID
    const context = await runHook("UserPromptSubmit", { sessionID, cwd: directory, prompt })
    if (context === "" || output.message?.id === undefined) return
    output.parts.push({ id: partId(), sessionID, messageID: output.message.id, type: "text", text: context, synthetic: true })
  }
})
`

export const opencode: ProviderAdapter = {
  ...opencodeHost,
  binary: "opencode",
  scopes: ["user", "project"],
  injection: "plugin",
  identity: "sessionID handed to the plugin (opencode sets no session id variable)",
  hostPaths: (ctx) => [globalDir(ctx)],
  files: (ctx) =>
    Effect.gen(function* () {
      const hc = yield* HostConfig
      const dir = ctx.scope === "user" ? globalDir(ctx) : ctx.projectDir
      const jsonc = `${dir}/opencode.jsonc`
      const json = `${dir}/opencode.json`
      // Edit the file opencode reads: .jsonc when present, else .json (created when neither exists).
      const path = (yield* hc.info(jsonc)).exists ? jsonc : json
      const pluginDir = ctx.scope === "user" ? `${dir}/plugin` : `${dir}/.opencode/plugin`
      return [
        jsonEntryFile({
          path,
          role: "MCP server",
          allowComments: true,
          key: ["mcp", SERVER_NAME],
          value: {
            type: "local",
            command: [mcpCommand(ctx).command, ...mcpCommand(ctx).args],
            environment: { ...ctx.bridgeEnv },
            enabled: true
          },
          prune: [["mcp"]],
          seed: { $schema: "https://opencode.ai/config.json" },
          ignoreWhenEmpty: ["$schema"]
        }),
        ownedFile({
          path: `${pluginDir}/session-bridge.js`,
          role: "plugin (prompt-time inbox)",
          text: opencodePlugin(ctx)
        })
      ]
    }),
  notes: () => []
}
