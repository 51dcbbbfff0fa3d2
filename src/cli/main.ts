import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Arr from "effect/Array"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import * as NodeCliIO from "../platform/NodeCliIO.js"
import * as NodeHostConfig from "../platform/NodeHostConfig.js"
import { InfraLayer } from "../platform/NodeLayers.js"
import { VERSION } from "../Version.js"
import { channelCommands } from "./Channel.js"
import { cloudCommands } from "./Cloud.js"
import { entryPointCommands } from "./EntryPoints.js"
import { rootHelp } from "./Help.js"
import { maintenanceCommands } from "./Maintenance.js"
import { messagingCommands } from "./Messaging.js"
import { runCli } from "./Runtime.js"
import { uiCommands } from "./Ui.js"
import { demoCommands } from "./Demo.js"
import { doctorCommands } from "./Doctor.js"
import { initCommands } from "./Init.js"
import { providersCommands } from "./Providers.js"
import { uninstallCommands } from "./Uninstall.js"
import { sessionCommands } from "./Sessions.js"

/**
 * Every subcommand, in help order. A group file exports its commands wrapped in `listed(group, summary, command)`;
 * to add a command, spread its file's list below in the group it belongs to.
 */
export const commands = [
  ...messagingCommands,
  ...channelCommands,
  ...sessionCommands,
  ...uiCommands,
  ...demoCommands,
  // providers: init, uninstall, doctor, list-providers, plugin
  ...initCommands,
  ...uninstallCommands,
  ...doctorCommands,
  ...providersCommands,
  ...maintenanceCommands,
  // cloud: daemon, relay, cloud, contact
  ...cloudCommands,
  ...entryPointCommands
] as const

export const rootCommand = Command.make("session-bridge", {}, () => Console.log(rootHelp(VERSION, commands))).pipe(
  Command.withDescription("Let coding-agent sessions on this machine message each other and share files."),
  Command.withSubcommands(Arr.map(commands, (c) => c.command))
)

/** The parsed CLI; `argv` is the full argv (node path and script path first). */
export const cli = Command.run(rootCommand, { name: "session-bridge", version: VERSION })

/**
 * Global flags handled before @effect/cli: `--verbose` anywhere on the line (before a bare `--`),
 * and a bare `--help`/`-h` that shows the grouped root help.
 */
export const preprocessArgv = (
  argv: ReadonlyArray<string>
): { readonly args: Array<string>; readonly verbose: boolean } => {
  const end = argv.indexOf("--")
  const head = end < 0 ? argv : argv.slice(0, end)
  const tail = end < 0 ? [] : argv.slice(end)
  const verbose = head.includes("--verbose")
  const args = [...head.filter((a) => a !== "--verbose"), ...tail]
  const rest = args.slice(2)
  if (rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h")) return { args: args.slice(0, 2), verbose }
  return { args, verbose }
}

/** The domain services the commands use, over the infrastructure. */
export const DomainLayer = BridgeLayer

/** The layers every command runs on in production; prompts draw on stderr (stdout stays for answers). */
export const CliLayer = Layer.mergeAll(
  DomainLayer.pipe(Layer.provideMerge(InfraLayer)),
  NodeContext.layer,
  NodeHostConfig.layer,
  NodeCliIO.terminalLayer,
  NodeCliIO.stdinLayer
)

/** The CLI application; `argv` is the full process argv. */
export const main = (argv: ReadonlyArray<string>): void => {
  const { args, verbose } = preprocessArgv(argv)
  runCli(cli(args).pipe(Effect.provide(CliLayer)), { verbose })
}
