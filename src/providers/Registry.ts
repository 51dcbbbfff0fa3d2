import * as Effect from "effect/Effect"
import { bridgeError } from "../domain/Errors.js"
import { claudeCode } from "./claude-code.js"
import { cline } from "./cline.js"
import { codex } from "./codex.js"
import { cursor } from "./cursor.js"
import { geminiCli } from "./gemini-cli.js"
import { grok } from "./grok.js"
import { opencode } from "./opencode.js"
import { HOST_IDS, type HostId, type ProviderAdapter } from "./Provider.js"

/** Every host adapter, tier 1 first. */
export const PROVIDERS: ReadonlyArray<ProviderAdapter> = [claudeCode, codex, grok, opencode, cline, geminiCli, cursor]

export const isHostId = (s: string): s is HostId => (HOST_IDS as ReadonlyArray<string>).includes(s)

/** Accepts the ids and a few common spellings (claude, gemini). */
export const findProvider = (name: string) => {
  const id = name === "claude" ? "claude-code" : name === "gemini" ? "gemini-cli" : name
  const found = PROVIDERS.find((p) => p.id === id)
  return found === undefined
    ? Effect.fail(
        bridgeError(
          "PROVIDER_UNKNOWN",
          `unknown provider ${JSON.stringify(name)}`,
          `Use one of: ${HOST_IDS.join(", ")}.`
        )
      )
    : Effect.succeed(found)
}
