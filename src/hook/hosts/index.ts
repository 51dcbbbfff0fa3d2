import type { ProviderId } from "../../domain/Records.js"
import { claudeCode } from "./claude-code.js"
import { cline } from "./cline.js"
import { codex } from "./codex.js"
import { cursor } from "./cursor.js"
import { geminiCli } from "./gemini-cli.js"
import { grok } from "./grok.js"
import type { HostAdapter, HostEventSpec, HostTimeout } from "./HostAdapter.js"
import { opencode } from "./opencode.js"

export type { HookEvent, HostAdapter, HostEventSpec, HostPayload, HostTimeout } from "./HostAdapter.js"

/** Every host the hook speaks to, by provider id. */
export const hosts: ReadonlyArray<HostAdapter> = [claudeCode, codex, grok, opencode, geminiCli, cursor, cline]

const ALIASES: Readonly<Record<string, ProviderId>> = {
  claude: "claude-code",
  gemini: "gemini-cli"
}

/** The adapter for a `--provider` value (provider id or alias, any case), if any. */
export const findHost = (name: string): HostAdapter | undefined => {
  const lower = name.trim().toLowerCase()
  const id = ALIASES[lower] ?? lower
  return hosts.find((h) => h.id === id)
}

/** What `init` registers for one host: each hook event with its host-side timeout (above the hook's budget). */
export const hookRegistrations = (name: string): ReadonlyArray<HostEventSpec & { readonly timeout: HostTimeout }> => {
  const host = findHost(name)
  return host ? host.install.map((spec) => ({ ...spec, timeout: host.hostTimeout(spec.hostEvent) })) : []
}
