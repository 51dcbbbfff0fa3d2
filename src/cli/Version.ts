import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { LAYOUT_VERSION } from "../domain/Layout.js"
import { HostEnv } from "../services/HostEnv.js"
import { Store } from "../services/Store.js"
import { VERSION } from "../Version.js"

export const json = Options.boolean("json").pipe(Options.withDescription("Print JSON for scripts"))

export const versionCommand = Command.make("version", { json }, ({ json }) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const store = yield* Store
    const info = { version: VERSION, node: host.nodeVersion, home: store.root, layoutVersion: LAYOUT_VERSION }
    yield* json
      ? Console.log(JSON.stringify(info))
      : Console.log(`session-bridge ${info.version}\nnode ${info.node}\nhome ${info.home}\nlayout v${info.layoutVersion}`)
  })
).pipe(Command.withDescription("Print the package version, node version, home path and layout version"))
