import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { InfraLayer } from "../platform/NodeLayers.js"
import { VERSION } from "../Version.js"
import { runCli } from "./Runtime.js"
import { versionCommand } from "./Version.js"

const root = Command.make("session-bridge").pipe(
  Command.withDescription("Let coding-agent sessions on this machine message each other and share files."),
  Command.withSubcommands([versionCommand])
)

const cli = Command.run(root, { name: "session-bridge", version: VERSION })

/** The CLI application; `argv` is the full process argv. */
export const main = (argv: ReadonlyArray<string>): void => {
  const verbose = argv.includes("--verbose")
  const args = argv.filter((a) => a !== "--verbose")
  runCli(cli(args).pipe(Effect.provide(Layer.mergeAll(InfraLayer, NodeContext.layer))), { verbose })
}
