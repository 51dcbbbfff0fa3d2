import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { checkLabel, hiddenCharacter, Label, LABEL_MAX } from "../domain/Names.js"
import { nfc } from "../domain/Nfc.js"
import type { HostEnvShape } from "../services/HostEnv.js"
import { normalizeCwd } from "./Pointers.js"

/** A label that is always valid: the given text (NFC) with unsafe, hidden and invisible characters replaced. */
export const sanitizeLabel = (raw: string): Label => {
  const cleaned = [...nfc(raw)]
    .map((ch) => (ch === "/" || ch === "\\" || hiddenCharacter(ch) !== undefined ? "-" : ch))
    .join("")
    .trim()
    .slice(0, LABEL_MAX)
  return Schema.decodeSync(Label)(/^[-.\s]*$/.test(cleaned) ? "session" : cleaned)
}

export const basename = (cwd: string): string => normalizeCwd(cwd).split("/").pop() || "root"

/**
 * The label a new session gets when none is given: SESSION_BRIDGE_LABEL when valid (an invalid one was refused or
 * logged by the caller; it never names a record), else the cwd's last folder, made valid.
 */
export const defaultLabel = (env: HostEnvShape, cwd: string): Label =>
  sanitizeLabel(
    Option.getOrElse(
      Option.filter(env.get("SESSION_BRIDGE_LABEL"), (l) => Either.isRight(checkLabel(l))),
      () => basename(cwd)
    )
  )
