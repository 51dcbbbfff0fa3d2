import type * as Option from "effect/Option"
import { claudeCodeHost } from "./claude-code.js"
import { clineHost } from "./cline.js"
import { codexHost } from "./codex.js"
import { cursorHost } from "./cursor.js"
import { geminiCliHost } from "./gemini-cli.js"
import { grokHost } from "./grok.js"
import { runsInside } from "./Host.js"
import { opencodeHost } from "./opencode.js"

export { type EnvMarker, type HostDescriptor, runsInside } from "./Host.js"

/**
 * Every host session-bridge knows, tier 1 first: the order of `list-providers`, `init --all`, and the order in
 * which env markers are trusted when several hosts' markers are present (the ones an inner host sets itself
 * before the ones an IDE leaves in every terminal).
 */
export const HOSTS = [claudeCodeHost, codexHost, grokHost, opencodeHost, clineHost, geminiCliHost, cursorHost] as const

export type Host = (typeof HOSTS)[number]
export type HostId = Host["id"]

type Ids<T extends ReadonlyArray<{ readonly id: string }>> = { readonly [K in keyof T]: T[K]["id"] }

/** The provider ids, in `HOSTS` order (`--provider` values and their completion). */
export const HOST_IDS = HOSTS.map((h) => h.id) as unknown as Ids<typeof HOSTS>

export const isHostId = (s: string): s is HostId => (HOST_IDS as ReadonlyArray<string>).includes(s)

/** The host a `--provider` / `SESSION_BRIDGE_PROVIDER` value names: an id or an alias, any case. */
export const lookupHost = (name: string): Host | undefined => {
  const wanted = name.trim().toLowerCase()
  return HOSTS.find((h) => h.id === wanted || h.aliases.includes(wanted))
}

/** The host whose MCP client sends this `clientInfo.name` (matched exactly). */
export const hostOfClientName = (name: string): Host | undefined => HOSTS.find((h) => h.clientNames.includes(name))

/** The first host, in `HOSTS` order, whose env markers are present. */
export const hostOfEnv = (get: (name: string) => Option.Option<string>): Host | undefined =>
  HOSTS.find((h) => runsInside(h, get))
