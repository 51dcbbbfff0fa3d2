import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HostConfig } from "../services/HostConfig.js"
import { geminiCliHost } from "../hosts/gemini-cli.js"
import { hookCommand, hookEvents, mcpCommand, SERVER_NAME } from "./Commands.js"
import { getAt, isObject, parseObject } from "./JsonEdit.js"
import { type HookSpec, hooksFile, jsonEntryFile } from "./JsonFiles.js"
import type { Finding, InstallContext, ManagedFile, ProviderAdapter } from "./Provider.js"

const geminiDir = (ctx: InstallContext) => `${ctx.home}/.gemini`
const settingsPath = (ctx: InstallContext) =>
  ctx.scope === "user" ? `${geminiDir(ctx)}/settings.json` : `${ctx.projectDir}/.gemini/settings.json`
const trustedFoldersPath = (ctx: InstallContext) =>
  Option.getOrElse(ctx.getEnv("GEMINI_CLI_TRUSTED_FOLDERS_PATH"), () => `${geminiDir(ctx)}/trustedFolders.json`)

/** MCP server and hooks share one settings file; both edits are applied to it in turn. */
const settingsFile = (ctx: InstallContext): ManagedFile => {
  const path = settingsPath(ctx)
  const server = jsonEntryFile({
    path,
    role: "MCP server",
    allowComments: true,
    key: ["mcpServers", SERVER_NAME],
    value: { ...mcpCommand(ctx), env: { ...ctx.bridgeEnv } },
    prune: [["mcpServers"]]
  })
  const hooks = hooksFile({
    path,
    role: "hooks",
    allowComments: true,
    provider: "gemini-cli",
    nested: true,
    // BeforeAgent is Gemini CLI's prompt submit; its timeouts are in milliseconds.
    hooks: hookEvents("gemini-cli").map(({ event, timeout }): HookSpec => ({
      event,
      entry: {
        hooks: [{ name: SERVER_NAME, type: "command", command: hookCommand(ctx, event, "gemini-cli"), timeout }]
      }
    }))
  })
  return {
    path,
    role: "MCP server and hooks",
    install: (current, view) =>
      Effect.flatMap(server.install(current, view), (text) => hooks.install(Option.some(text), view)),
    uninstall: (current, view) =>
      Effect.flatMap(server.uninstall(current, view), (text) => hooks.uninstall(text, view)),
    isEmpty: server.isEmpty
  }
}

/** Is `dir` trusted by ~/.gemini/trustedFolders.json (itself, or a parent marked TRUST_PARENT / TRUST_FOLDER)? */
const folderTrust = (rules: Record<string, unknown>, dir: string): "trusted" | "distrusted" | "unknown" => {
  let best: { len: number; verdict: "trusted" | "distrusted" } | undefined
  for (const [path, rule] of Object.entries(rules)) {
    const p = path.replace(/\/+$/, "")
    const applies =
      rule === "TRUST_PARENT"
        ? dir.startsWith(p.slice(0, p.lastIndexOf("/") + 1))
        : dir === p || dir.startsWith(p + "/")
    if (!applies) continue
    const verdict = rule === "DO_NOT_TRUST" ? "distrusted" : "trusted"
    if (best === undefined || p.length > best.len) best = { len: p.length, verdict }
  }
  return best?.verdict ?? "unknown"
}

export const geminiCli: ProviderAdapter = {
  ...geminiCliHost,
  binary: "gemini",
  scopes: ["user", "project"],
  injection: "hooks",
  identity: "hook payload session_id and GEMINI_SESSION_ID (hooks only)",
  hostPaths: (ctx) => [geminiDir(ctx)],
  files: (ctx) => Effect.succeed([settingsFile(ctx)]),
  notes: () => [
    "Gemini CLI turns MCP servers and hooks off in folders it does not trust (folder trust is on by default). " +
      "init does not trust folders for you: answer the trust prompt in `gemini`, or see `session-bridge doctor`."
  ],
  check: (ctx) =>
    Effect.gen(function* () {
      const hc = yield* HostConfig
      const findings: Array<Finding> = []
      const settings = yield* hc.read(settingsPath(ctx))
      const parsed = Option.isSome(settings)
        ? yield* parseObject({ path: settingsPath(ctx), text: settings.value, allowComments: true })
        : {}
      if (
        getAt(parsed, ["security", "folderTrust", "enabled"]) === false ||
        Option.contains(ctx.getEnv("GEMINI_CLI_TRUST_WORKSPACE"), "true")
      )
        return [{ level: "ok", message: "folder trust is off; servers and hooks load in every folder" }]
      const file = yield* hc.read(trustedFoldersPath(ctx))
      const rules = Option.isSome(file)
        ? yield* parseObject({ path: trustedFoldersPath(ctx), text: file.value, allowComments: true })
        : {}
      const verdict = folderTrust(isObject(rules) ? rules : {}, ctx.projectDir)
      findings.push(
        verdict === "trusted"
          ? { level: "ok", message: `folder ${ctx.projectDir} is trusted by Gemini CLI` }
          : {
              level: "warn",
              message: `Gemini CLI ${verdict === "distrusted" ? "distrusts" : "does not yet trust"} ${ctx.projectDir}: it will not start session-bridge there`,
              remedy: `Run \`gemini\` in that folder and choose to trust it, or add {"${ctx.projectDir}": "TRUST_FOLDER"} to ${trustedFoldersPath(ctx)}.`
            }
      )
      return findings
    })
}
