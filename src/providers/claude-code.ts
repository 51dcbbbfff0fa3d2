import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { claudeCodeHost } from "../hosts/claude-code.js"
import { hookCommand, hookEvents, mcpCommand, SERVER_NAME } from "./Commands.js"
import { hooksFile, jsonEntryFile } from "./JsonFiles.js"
import type { InstallContext, ProviderAdapter } from "./Provider.js"

const configDir = (ctx: InstallContext) =>
  Option.getOrElse(ctx.getEnv("CLAUDE_CONFIG_DIR"), () => `${ctx.home}/.claude`)
/** ~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json when that is set. */
const stateFile = (ctx: InstallContext) =>
  Option.match(ctx.getEnv("CLAUDE_CONFIG_DIR"), {
    onNone: () => `${ctx.home}/.claude.json`,
    onSome: (d) => `${d}/.claude.json`
  })

const server = (ctx: InstallContext) => ({ type: "stdio", ...mcpCommand(ctx), env: { ...ctx.bridgeEnv } })

export const claudeCode: ProviderAdapter = {
  ...claudeCodeHost,
  binary: "claude",
  scopes: ["user", "project"],
  injection: "hooks",
  identity: "hook payload session_id, equal to CLAUDE_CODE_SESSION_ID in hooks and MCP servers",
  hostPaths: (ctx) => [configDir(ctx), stateFile(ctx)],
  files: (ctx) =>
    Effect.succeed([
      ctx.scope === "user"
        ? jsonEntryFile({
            path: stateFile(ctx),
            role: "MCP server (user scope)",
            allowComments: false,
            key: ["mcpServers", SERVER_NAME],
            value: server(ctx),
            prune: [["mcpServers"]]
          })
        : jsonEntryFile({
            path: `${ctx.projectDir}/.mcp.json`,
            role: "MCP server (project scope)",
            allowComments: false,
            key: ["mcpServers", SERVER_NAME],
            value: server(ctx),
            prune: [["mcpServers"]]
          }),
      hooksFile({
        path: ctx.scope === "user" ? `${configDir(ctx)}/settings.json` : `${ctx.projectDir}/.claude/settings.json`,
        role: "hooks",
        allowComments: false,
        provider: "claude-code",
        nested: true,
        hooks: hookEvents("claude-code").map(({ event, timeout }) => ({
          event,
          entry: { hooks: [{ type: "command", command: hookCommand(ctx, event, "claude-code"), timeout }] }
        }))
      })
    ]),
  notes: (ctx) =>
    ctx.scope === "project"
      ? ["Claude Code asks to approve a project's .mcp.json servers: run `claude` in the project once and accept."]
      : []
}
