import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as CurrentSession from "../bridge/CurrentSession.js"
import type { Identity } from "../bridge/Identity.js"
import type { Sessions } from "../bridge/Sessions.js"
import { HostEnv } from "../services/HostEnv.js"
import { type ClientInfo, detectProvider } from "./ClientInfo.js"

/**
 * The session this MCP server acts for, resolved at the first tool call rather than at spawn (a host may start
 * its MCP servers before its session-start hook has run): SESSION_BRIDGE_SESSION_ID, the host's own session id,
 * the pointer the hook wrote, else a session registered for the cwd. The host comes from `initialize`.
 */
export const layer = (
  client: Option.Option<ClientInfo>
): Layer.Layer<CurrentSession.CurrentSession, never, Identity | Sessions | HostEnv> =>
  CurrentSession.layerLazy(
    Effect.map(HostEnv, (env) => ({ provider: detectProvider(client, env), cwd: env.cwd, pid: env.pid }))
  )
