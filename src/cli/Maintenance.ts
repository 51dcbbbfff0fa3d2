import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { LAYOUT_VERSION } from "../domain/Layout.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/store/Store.js"
import { VERSION } from "../Version.js"
import { gcCommand } from "./Gc.js"
import { listed } from "./Help.js"
import { inspectCommand } from "./Inspect.js"
import { jsonOption, printJson, printText } from "./Output.js"
import { purgeCommand } from "./Purge.js"

const versionCommand = Command.make("version", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const store = yield* Store
    const info = { version: VERSION, node: host.nodeVersion, home: store.root, layoutVersion: LAYOUT_VERSION }
    yield* json
      ? printJson(info)
      : printText(`session-bridge ${info.version}\nnode ${info.node}\nhome ${info.home}\nlayout v${info.layoutVersion}`)
  })
)

/** inspect, gc, purge, version. */
export const maintenanceCommands = [
  listed(
    "maintenance",
    "Show a stored record decoded, and where it lives on disk (message, session, sha256, path)",
    inspectCommand
  ),
  listed(
    "maintenance",
    "Remove expired broadcasts, long-offline sessions, stale temp files and locks, unreferenced artifacts",
    gcCommand
  ),
  listed("maintenance", "Delete all local state (asks first; --yes to skip)", purgeCommand),
  listed("maintenance", "Print the package version, node version, home path and layout version", versionCommand)
] as const
