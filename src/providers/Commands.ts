import { hookRegistrations } from "../hook/hosts/index.js"
import type { HostId, InstallContext } from "./Provider.js"
import { envPrefix, shellQuote } from "./Shell.js"

/** The MCP server as hosts launch it: absolute node and entry, so PATH and version managers do not matter. */
export const mcpCommand = (ctx: InstallContext) => ({ command: ctx.node, args: [ctx.entry, "mcp"] })

/** argv of the hook subprocess for one host event. */
export const hookArgv = (ctx: InstallContext, event: string, provider: HostId): ReadonlyArray<string> => [
  ctx.node,
  ctx.entry,
  "hook",
  event,
  "--provider",
  provider
]

/** The hook as one shell command line (hosts run it with `sh -c`), with our env set in front. */
export const hookCommand = (ctx: InstallContext, event: string, provider: HostId): string =>
  envPrefix(ctx.bridgeEnv) + hookArgv(ctx, event, provider).map(shellQuote).join(" ")

/** True for a hook command line that `init` wrote for this provider, whatever paths it used. */
export const isOurHookCommand = (command: unknown, provider: HostId): boolean =>
  typeof command === "string" && new RegExp(`\\shook\\s+\\S+\\s+--provider\\s+${provider}\\s*$`).test(command)

/** Our MCP server's name in every host. */
export const SERVER_NAME = "session-bridge"

/** The hook's own budget is SESSION_BRIDGE_HOOK_BUDGET_MS (1.5 s); plugin shims give it a wider margin than that. */
export const HOST_HOOK_TIMEOUT_SEC = 10

/** The hook events to register for a host and each one's host-side timeout, in the host's own unit. */
export const hookEvents = (provider: HostId): ReadonlyArray<{ readonly event: string; readonly timeout: number }> =>
  hookRegistrations(provider).map((r) => ({ event: r.hostEvent, timeout: r.timeout.value }))
