import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Arr from "effect/Array"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../cloud/RemoteSendsLayer.js"
import * as NodeCliIO from "../platform/NodeCliIO.js"
import * as NodeHostConfig from "../platform/NodeHostConfig.js"
import { InfraLayer } from "../platform/NodeLayers.js"
import { VERSION } from "../Version.js"
import { artifactCommands } from "./ArtifactSave.js"
import { channelCommands } from "./Channel.js"
import { cloudCommands } from "./Cloud.js"
import { contactCommands } from "./Contact.js"
import { type CommandSpec, specOf } from "./CommandTree.js"
import { completionCommands } from "./Completion.js"
import { entryPointCommands } from "./EntryPoints.js"
import { listed, rootHelp } from "./Help.js"
import { inboxCommands } from "./Inbox.js"
import { maintenanceCommands } from "./Maintenance.js"
import { messagingCommands } from "./Messaging.js"
import { preflight, validate } from "./Preflight.js"
import { runCli } from "./Runtime.js"
import { printText } from "./Output.js"
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
/** `help [command...]`: answered by preflight (it needs the whole table); declared for the help and completions. */
const helpCommand = listed(
  "maintenance",
  "Help for a command: help <command> [subcommand] (same as <command> --help)",
  Command.make(
    "help",
    { command: Args.text({ name: "command" }).pipe(Args.withDescription("The command to explain"), Args.repeated) },
    () => Effect.void
  )
)

export const commands = [
  ...messagingCommands,
  ...inboxCommands,
  ...channelCommands,
  ...artifactCommands,
  ...sessionCommands,
  ...uiCommands,
  ...demoCommands,
  // providers: init, uninstall, doctor, list-providers, plugin
  ...initCommands,
  ...uninstallCommands,
  ...doctorCommands,
  ...providersCommands,
  ...maintenanceCommands,
  ...completionCommands(() => rootSpec),
  helpCommand,
  // cloud: daemon, relay, cloud, contact
  ...cloudCommands,
  ...contactCommands,
  ...entryPointCommands
] as const

export const rootCommand = Command.make("session-bridge", {}, () => Console.log(rootHelp(VERSION, commands))).pipe(
  Command.withDescription("Let coding-agent sessions on this machine message each other and share files."),
  Command.withSubcommands(Arr.map(commands, (c) => c.command))
)

/** The command table as data: the source of the help pages, completion scripts and did-you-mean. */
export const rootSpec: CommandSpec = specOf(rootCommand)

const parsed = Command.run(rootCommand, { name: "session-bridge", version: VERSION })

/**
 * The CLI; `argv` is the full argv (node path and script path first). Help, unknown commands and parse errors are
 * answered by preflight (src/cli/Preflight.ts) before @effect/cli runs the command.
 */
export const cli = (argv: ReadonlyArray<string>) => {
  const rest = argv.slice(2)
  const decision = preflight(rootSpec, () => rootHelp(VERSION, commands), rest)
  switch (decision._tag) {
    case "Help":
      return printText(decision.text)
    case "Usage":
      return Effect.fail(decision.error)
    case "Run":
      return Effect.zipRight(validate(rootCommand.descriptor, rootSpec, rest), parsed(argv))
  }
}

/** The global flag handled before @effect/cli: `--verbose` anywhere on the line (before a bare `--`). */
export const preprocessArgv = (
  argv: ReadonlyArray<string>
): { readonly args: Array<string>; readonly verbose: boolean } => {
  const end = argv.indexOf("--")
  const head = end < 0 ? argv : argv.slice(0, end)
  const tail = end < 0 ? [] : argv.slice(end)
  const verbose = head.includes("--verbose")
  return { args: [...head.filter((a) => a !== "--verbose"), ...tail], verbose }
}

/**
 * The CLI's composition: the layers every command runs on in production, built once per process: the bridge
 * services over the real machine's infrastructure, the host config files, the terminal (prompts draw on stderr;
 * stdout stays for answers) and stdin. The `ui` and `cloud` commands load their own services on demand over these
 * (src/ui/Main.ts, src/cli/CloudProgram.ts); they build no second set of bridge services.
 */
export const CliLayer = Layer.mergeAll(
  BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer), Layer.provideMerge(InfraLayer)),
  NodeContext.layer,
  NodeHostConfig.layer,
  NodeCliIO.terminalLayer,
  NodeCliIO.stdinLayer
)

/** The CLI application; `argv` is the full process argv. */
export const main = (argv: ReadonlyArray<string>): void => {
  NodeCliIO.exitQuietlyOnClosedPipe()
  const { args, verbose } = preprocessArgv(argv)
  runCli(cli(args).pipe(Effect.provide(CliLayer)), { verbose })
}
