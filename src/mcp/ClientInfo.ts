import * as Option from "effect/Option"
import type { ProviderId } from "../domain/Records.js"
import { hostOfClientName, hostOfEnv, lookupHost } from "../hosts/index.js"
import type { HostEnvShape } from "../services/HostEnv.js"

/** What `initialize` told us about the host: `clientInfo.name` and `.version`, when it sent them. */
export interface ClientInfo {
  readonly name: string
  readonly version: string
}

/** The provider whose MCP client sends this `clientInfo.name` (the hosts' `clientNames`, src/hosts/). */
export const providerFromClientName = (name: string): Option.Option<ProviderId> =>
  Option.map(Option.fromNullable(hostOfClientName(name)), (h) => h.id)

/**
 * Which host this server runs under: the `initialize` client name first (the only signal that survives
 * Codex's stripped environment), then the hosts' env markers (in `HOSTS` order), then `SESSION_BRIDGE_PROVIDER`
 * read as the hook reads `--provider` (an id or alias, any case), else "unknown".
 */
export const detectProvider = (client: Option.Option<ClientInfo>, env: HostEnvShape): ProviderId =>
  client.pipe(
    Option.flatMap((info) => providerFromClientName(info.name)),
    Option.orElse(() => Option.fromNullable(hostOfEnv(env.get)?.id)),
    Option.orElse(() => Option.flatMapNullable(env.get("SESSION_BRIDGE_PROVIDER"), (v) => lookupHost(v)?.id)),
    Option.getOrElse((): ProviderId => "unknown")
  )
