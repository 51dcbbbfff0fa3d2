import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { LAYOUT_VERSION } from "../domain/Layout.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/Store.js"
import { VERSION } from "../Version.js"
import { listed } from "./Help.js"
import { jsonOption, printJson } from "./Output.js"

const versionCommand = Command.make("version", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const store = yield* Store
    const info = { version: VERSION, node: host.nodeVersion, home: store.root, layoutVersion: LAYOUT_VERSION }
    yield* json
      ? printJson(info)
      : Console.log(`session-bridge ${info.version}\nnode ${info.node}\nhome ${info.home}\nlayout v${info.layoutVersion}`)
  })
)

/** inspect, gc, purge, version. */
export const maintenanceCommands = [
  listed("maintenance", "Print the package version, node version, home path and layout version", versionCommand)
] as const
