import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { Housekeeping, type Located } from "../bridge/Housekeeping.js"
import { formatBytes, jsonOption, printJson, printText } from "./Output.js"

const target = Args.text({ name: "target" }).pipe(
  Args.withDescription("A message id, session id (or prefix), artifact sha256, or a file path under the bridge home")
)

const showLocated = (l: Located): string => {
  const head = `${l.kind}  ${l.absolutePath}\n  ${formatBytes(l.size)}, mode ${l.mode}, modified ${l.modified}`
  if (l.record !== undefined) return `${head}\n${JSON.stringify(l.record, null, 2)}`
  if (l.problem !== undefined) return `${head}\n  does not decode: ${l.problem.replace(/\n/g, "\n  ")}\n${l.raw ?? ""}`
  if (l.raw !== undefined) return `${head}\n${l.raw}`
  return head
}

/** `session-bridge inspect <target>`: what the target names on disk, decoded (Housekeeping.inspect). */
export const inspectCommand = Command.make("inspect", { target, json: jsonOption }, ({ target, json }) =>
  Effect.gen(function* () {
    const found = yield* Effect.flatMap(Housekeeping, (h) => h.inspect(target))
    yield* json ? printJson(found) : printText(found.map(showLocated).join("\n\n"))
  })
)
