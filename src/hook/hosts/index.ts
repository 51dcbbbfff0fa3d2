import { HOSTS, type HostId, lookupHost } from "../../hosts/index.js"
import { claudeCode } from "./claude-code.js"
import { cline } from "./cline.js"
import { codex } from "./codex.js"
import { cursor } from "./cursor.js"
import { geminiCli } from "./gemini-cli.js"
import { grok } from "./grok.js"
import type { HostAdapter, HostEventSpec, HostTimeout } from "./HostAdapter.js"
import { opencode } from "./opencode.js"

export type { HookEvent, HostAdapter, HostEventSpec, HostPayload, HostTimeout } from "./HostAdapter.js"

/** The hook wire format of every host id (the type refuses a missing or unknown one). */
const WIRES: { readonly [K in HostId]: HostAdapter } = {
  "claude-code": claudeCode,
  codex,
  grok,
  opencode,
  cline,
  "gemini-cli": geminiCli,
  cursor
}

/** Every host the hook speaks to, in `HOSTS` order. */
export const hosts: ReadonlyArray<HostAdapter> = HOSTS.map((h) => WIRES[h.id])

/** The adapter for a `--provider` value (provider id or alias, any case), if any. */
export const findHost = (name: string): HostAdapter | undefined => {
  const host = lookupHost(name)
  return host === undefined ? undefined : WIRES[host.id]
}

/** What `init` registers for one host: each hook event with its host-side timeout (above the hook's budget). */
export const hookRegistrations = (name: string): ReadonlyArray<HostEventSpec & { readonly timeout: HostTimeout }> => {
  const host = findHost(name)
  return host ? host.install.map((spec) => ({ ...spec, timeout: host.hostTimeout(spec.hostEvent) })) : []
}
