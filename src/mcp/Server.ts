import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  McpError
} from "@modelcontextprotocol/sdk/types.js"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { InvalidArgument } from "../domain/Errors.js"
import type { ClientInfo } from "./ClientInfo.js"
import { ParamsGuard } from "./ParamsGuard.js"
import type { AnyToolDef } from "./ToolDef.js"
import { listedTool, type ListedTool } from "./ToolListing.js"
import { renderToolError, type ToolError, toolErrorOf } from "./ToolErrors.js"
import { errorResult, successResult } from "./ToolResult.js"

export interface McpServerOptions<R, E> {
  readonly name: string
  readonly version: string
  readonly tools: ReadonlyArray<AnyToolDef<R>>
  /**
   * What the handlers run on. Built once, at the first tool call (initialize and tools/list never pay for it),
   * with what `initialize` said about the client; a failed build is retried at the next call.
   */
  readonly context: (client: Option.Option<ClientInfo>) => Layer.Layer<R, E>
  readonly transport: Transport
  /** How long tool calls still running when the client goes away may take to finish. */
  readonly drainMillis?: number
}

/** A connected MCP server. `closed` completes when the client closes the transport. */
export class McpServer extends Context.Tag("session-bridge/McpServer")<
  McpServer,
  {
    readonly closed: Effect.Effect<void>
    /** Waits (up to the drain budget) for tool calls in flight, e.g. after stdin reached EOF. */
    readonly drain: Effect.Effect<void>
  }
>() {}

/**
 * The answer to a request too large to read: an isError tool result for a tools/call (ARTIFACT_TOO_LARGE when
 * it posts an artifact), a JSON-RPC error for anything else; nothing for a notification.
 */
export const oversizedReply = (line: {
  readonly id: string | number | undefined
  readonly head: string
  readonly bytes: number
}): JSONRPCMessage | undefined => {
  if (line.id === undefined) return undefined
  const message = `the request is ${line.bytes} bytes, more than this server reads in one message`
  if (!line.head.includes('"tools/call"')) return { jsonrpc: "2.0", id: line.id, error: { code: -32600, message } }
  const artifact = line.head.includes('"bridge_post_artifact"')
  const error: ToolError = artifact
    ? {
        code: "ARTIFACT_TOO_LARGE",
        message,
        hint: "Split the content; artifacts are capped by SESSION_BRIDGE_MAX_ARTIFACT_BYTES."
      }
    : renderToolError(new InvalidArgument({ message, hint: "Send large content as an artifact, in parts." }))
  return { jsonrpc: "2.0", id: line.id, result: errorResult(error) }
}

const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")

/**
 * Builds `layer` into `scope` on first use and caches the result; concurrent first callers share one build,
 * and a failed build is not cached.
 */
const lazyContext = <R, E>(build: Effect.Effect<Context.Context<R>, E>) =>
  Effect.map(Effect.makeSemaphore(1), (lock) => {
    let cached: Option.Option<Context.Context<R>> = Option.none()
    const fill = Effect.suspend(() =>
      Option.isSome(cached)
        ? Effect.succeed(cached.value)
        : Effect.tap(build, (ctx) => void (cached = Option.some(ctx)))
    )
    return Effect.suspend(() => (Option.isSome(cached) ? Effect.succeed(cached.value) : lock.withPermits(1)(fill)))
  })

/**
 * The MCP SDK behind one scoped service: handlers registered, transport connected, and on release the server
 * closed, calls in flight interrupted and the handlers' layer released, in that order.
 */
export const make = <R, E>(options: McpServerOptions<R, E>) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    // Created first so it is released last, after the calls that use it are interrupted.
    const contextScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const fibers = yield* FiberSet.make<CallToolResult, never>()
    const runPromise = yield* FiberSet.runtimePromise(fibers)<never>()
    const closed = yield* Deferred.make<void>()
    const byName = new Map(options.tools.map((t) => [t.name, t]))

    const server = new Server({ name: options.name, version: options.version }, { capabilities: { tools: {} } })
    const clientInfo = (): Option.Option<ClientInfo> =>
      Option.fromNullable(server.getClientVersion()).pipe(Option.map((c) => ({ name: c.name, version: c.version })))

    const context = yield* lazyContext(
      Effect.suspend(() => Layer.buildWithScope(options.context(clientInfo()), contextScope)).pipe(
        Effect.withSpan("McpServer.buildContext")
      )
    )

    let listed: ReadonlyArray<ListedTool> | undefined
    const listTools = () => (listed ??= options.tools.map(listedTool))

    const callTool = (name: string, args: unknown): Effect.Effect<CallToolResult> => {
      const def = byName.get(name)
      if (def === undefined) {
        return Effect.succeed(
          errorResult(
            renderToolError(
              new InvalidArgument({
                message: `unknown tool ${JSON.stringify(name)}`,
                hint: "Call tools/list for the tools this server offers."
              })
            )
          )
        )
      }
      return Schema.decodeUnknown(def.input, { errors: "all", onExcessProperty: "error" })(args ?? {}).pipe(
        Effect.mapError(
          (e) =>
            new InvalidArgument({
              message: `${name}: ${describeParseError(e)}`,
              hint: "Check the arguments against the tool's input schema."
            })
        ),
        Effect.flatMap((input) => Effect.flatMap(context, (ctx) => Effect.provide(def.handler(input), ctx))),
        // The result is the output Schema's encoding; a value that does not encode is a bug (INTERNAL, logged).
        Effect.flatMap((value) => Effect.orDie(Schema.encode(def.output)(value))),
        Effect.map(successResult),
        Effect.catchAllCause((cause) => {
          const failure = Cause.failureOption(cause)
          if (Option.isSome(failure)) return Effect.succeed(errorResult(toolErrorOf(failure.value)))
          if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
          return Effect.logError(`tool ${name} failed`, cause).pipe(
            Effect.as(errorResult(toolErrorOf(Cause.squash(cause))))
          )
        }),
        Effect.orDie,
        Effect.withSpan(`McpServer.callTool/${name}`)
      )
    }

    /** Stops the call when the client cancels the request. */
    const abortable = (signal: AbortSignal) =>
      Effect.async<never>((resume) => {
        const onAbort = () => resume(Effect.interrupt)
        if (signal.aborted) onAbort()
        else signal.addEventListener("abort", onAbort, { once: true })
        return Effect.sync(() => signal.removeEventListener("abort", onAbort))
      })

    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...listTools()] }))
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      // A tool that does not exist is a protocol error (JSON-RPC -32602), not a tool's error result.
      if (!byName.has(request.params.name))
        throw new McpError(
          ErrorCode.InvalidParams,
          `unknown tool ${JSON.stringify(request.params.name)}; tools/list gives the tools this server offers`
        )
      return runPromise(
        Effect.raceFirst(callTool(request.params.name, request.params.arguments), abortable(extra.signal))
      )
    })
    server.onclose = () => Deferred.unsafeDone(closed, Exit.void)
    const runtime = yield* Effect.runtime<never>()
    server.onerror = (error) => Runtime.runFork(runtime)(Effect.logWarning(`mcp transport: ${error.message}`))

    yield* Effect.acquireRelease(
      Effect.promise(() => server.connect(new ParamsGuard(options.transport))),
      () => Effect.promise(() => server.close().catch(() => undefined))
    )

    return McpServer.of({
      closed: Deferred.await(closed),
      drain: Effect.flatMap(FiberSet.size(fibers), (n) =>
        n === 0
          ? Effect.void
          : FiberSet.awaitEmpty(fibers).pipe(Effect.timeoutOption(options.drainMillis ?? 2000), Effect.asVoid)
      )
    })
  })

/** The server as a scoped layer: connected when built, closed when released. */
export const layer = <R, E>(options: McpServerOptions<R, E>): Layer.Layer<McpServer> =>
  Layer.scoped(McpServer, make(options))
