import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { BridgeLayer } from "../bridge/BridgeLayer.js"
import { exitZeroOnInterrupt, runCli, usageError } from "../cli/Runtime.js"
import { jsonStderrLogger } from "../platform/JsonLinesLogger.js"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import { InfraLayerLongLived } from "../platform/NodeLayers.js"
import { relayHttpClient } from "../platform/NodeRelayHttp.js"
import { CloudNotConfigured } from "./CloudErrors.js"
import * as RemoteSendsLayer from "./RemoteSendsLayer.js"
import * as CloudHome from "./CloudHome.js"
import { daemon, type DaemonOptions, defaultOptions } from "./Daemon.js"
import * as HttpRelayClient from "./HttpRelayClient.js"
import { RelayClient } from "./RelayClient.js"
import { withTimeouts } from "./RelayTimeouts.js"

/*
 * `session-bridge daemon`: the daemon's whole composition, loaded by the executable only for this command (bin.ts),
 * so neither the hook nor the MCP server nor any other command parses it. Foreground; JSON lines on stderr; exits 0
 * on SIGINT/SIGTERM after the current batch is written, 1 on a failure (printed as `error CODE: …` with a hint).
 */

/** The relay of this home's credentials, every call bounded in time, over kept-alive connections. */
const relayAt = (url: string) =>
  Layer.effect(RelayClient, Effect.map(HttpRelayClient.make(url), withTimeouts)).pipe(Layer.provide(relayHttpClient))

/** The daemon's services on the real machine: the home's store, the bridge over it, the cloud state, node:crypto. */
export const DaemonLayer = Layer.mergeAll(
  CloudHome.layer,
  BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))
).pipe(Layer.provideMerge(Layer.mergeAll(InfraLayerLongLived, NodeCloudCrypto.layer)))

/**
 * The command line after `daemon`. `--presence-interval-ms N` is deliberately left out of the help: it shortens
 * the presence interval (publish every N ms, fetch every N/2) for end-to-end tests.
 */
export const parseDaemonArgs = (
  args: ReadonlyArray<string>
): Effect.Effect<DaemonOptions, ReturnType<typeof usageError>> =>
  Effect.suspend(() => {
    let options = defaultOptions
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      const [flag, inline] =
        arg.startsWith("--") && arg.includes("=")
          ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
          : [arg, undefined]
      if (flag === "--presence-interval-ms") {
        const value = Number(inline ?? args[++i])
        if (!Number.isSafeInteger(value) || value < 100 || value > 3_600_000)
          return Effect.fail(usageError("--presence-interval-ms takes whole milliseconds from 100 to 3600000"))
        options = { ...options, presenceIntervalMs: value, fetchIntervalMs: Math.max(50, Math.floor(value / 2)) }
        continue
      }
      return Effect.fail(
        usageError(
          `unknown argument ${JSON.stringify(arg.slice(0, 60))} for daemon`,
          "Run `session-bridge daemon --help`."
        )
      )
    }
    return Effect.succeed(options)
  })

/** Parses the arguments, finds the relay in the credentials and runs the daemon. */
export const program = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    yield* exitZeroOnInterrupt
    const options = yield* parseDaemonArgs(args)
    const credentials = yield* (yield* CloudHome.CloudHome).credentials
    if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
    yield* Effect.provide(daemon(options), relayAt(credentials.value.relayUrl))
  }).pipe(Effect.locallyWith(FiberRef.currentLoggers, () => HashSet.make(jsonStderrLogger)))

/** Runs the daemon as the process; `args` are the arguments after `daemon`. */
export const main = (args: ReadonlyArray<string>): void => {
  const verbose = args.includes("--verbose")
  runCli(program(args.filter((a) => a !== "--verbose")).pipe(Effect.provide(DaemonLayer)), { verbose })
}
