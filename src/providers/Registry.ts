import * as Effect from "effect/Effect"
import { ProviderUnknown } from "../domain/Errors.js"
import { HOST_IDS, HOSTS, type HostId, lookupHost } from "../hosts/index.js"
import { claudeCode } from "./claude-code.js"
import { cline } from "./cline.js"
import { codex } from "./codex.js"
import { cursor } from "./cursor.js"
import { geminiCli } from "./gemini-cli.js"
import { grok } from "./grok.js"
import { opencode } from "./opencode.js"
import type { ProviderAdapter } from "./Provider.js"

export { isHostId } from "../hosts/index.js"

/** The install adapter of every host id (the type refuses a missing or unknown one). */
const ADAPTERS: { readonly [K in HostId]: ProviderAdapter } = {
  "claude-code": claudeCode,
  codex,
  grok,
  opencode,
  cline,
  "gemini-cli": geminiCli,
  cursor
}

/** Every host adapter, in `HOSTS` order (tier 1 first). */
export const PROVIDERS: ReadonlyArray<ProviderAdapter> = HOSTS.map((h) => ADAPTERS[h.id])

/** Accepts the ids and their aliases (claude, gemini), in any case. */
export const findProvider = (name: string) => {
  const host = lookupHost(name)
  return host === undefined
    ? Effect.fail(
        new ProviderUnknown({
          message: `unknown provider ${JSON.stringify(name)}`,
          hint: `Use one of: ${HOST_IDS.join(", ")}.`
        })
      )
    : Effect.succeed(ADAPTERS[host.id])
}
