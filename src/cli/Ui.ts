import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { listed } from "./Help.js"
import { jsonOption } from "./Output.js"

const port = Options.integer("port").pipe(
  Options.withDescription("Port on 127.0.0.1 (default: the previous run's port if free, else any free port)"),
  Options.optional
)
const noOpen = Options.boolean("no-open").pipe(Options.withDescription("Print the URL but do not open a browser"))

const uiCommand = Command.make("ui", { port, noOpen, json: jsonOption }, ({ json, noOpen, port }) =>
  // Loaded on demand: the HTTP server stays out of every other command's start-up.
  Effect.flatMap(
    Effect.promise(() => import("../ui/Main.js")),
    (ui) => ui.run({ port, open: !noOpen, json })
  )
)

/** ui. */
export const uiCommands = [
  listed("sessions", "Serve a live, read-only dashboard of sessions and messages on 127.0.0.1", uiCommand)
] as const
