import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ProviderId } from "../domain/Records.js"
import type { HostEnvShape } from "../services/HostEnv.js"

/** What `initialize` told us about the host: `clientInfo.name` and `.version`, when it sent them. */
export interface ClientInfo {
  readonly name: string
  readonly version: string
}

/** `clientInfo.name` of each host that spawns MCP servers (see docs/providers.md). */
const byClientName: Record<string, ProviderId> = {
  "claude-code": "claude-code",
  "codex-mcp-client": "codex",
  "gemini-cli-mcp-client": "gemini-cli",
  opencode: "opencode",
  "grok-cli": "grok",
  "@cline/core": "cline"
}

/** Environment markers hosts leave in their MCP servers' environment, in the order they are trusted. */
const byEnvMarker: ReadonlyArray<readonly [string, ProviderId]> = [
  ["CLAUDECODE", "claude-code"],
  ["GEMINI_CLI", "gemini-cli"],
  ["OPENCODE", "opencode"],
  ["CURSOR_TRACE_ID", "cursor"]
]

export const providerFromClientName = (name: string): Option.Option<ProviderId> =>
  Option.fromNullable(Object.hasOwn(byClientName, name) ? byClientName[name] : undefined)

const isProviderId = Schema.is(ProviderId)

/**
 * Which host this server runs under: the `initialize` client name first (the only signal that survives
 * Codex's stripped environment), then the hosts' env markers, then `SESSION_BRIDGE_PROVIDER`, else "unknown".
 */
export const detectProvider = (client: Option.Option<ClientInfo>, env: HostEnvShape): ProviderId =>
  client.pipe(
    Option.flatMap((info) => providerFromClientName(info.name)),
    Option.orElse(() => Option.fromNullable(byEnvMarker.find(([name]) => Option.isSome(env.get(name)))?.[1])),
    Option.orElse(() =>
      env.get("SESSION_BRIDGE_PROVIDER").pipe(
        Option.map((v) => v.trim().toLowerCase()),
        Option.filter(isProviderId)
      )
    ),
    Option.getOrElse((): ProviderId => "unknown")
  )
