import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { InvalidArgument } from "../domain/Errors.js"
import type { ClientInfo } from "./ClientInfo.js"
import type { JsonObject } from "./JsonSchemas.js"
import type { AnyToolDef } from "./ToolDef.js"
import { renderToolError, toolErrorOf } from "./ToolErrors.js"
import { type CallToolResult, errorResult, successResult } from "./ToolResult.js"

export interface ToolCallsOptions<R, E> {
  readonly tools: ReadonlyArray<AnyToolDef<R>>
  /**
   * What the handlers run on. Built once, at the first call, with what `initialize` said about the client; a
   * failed build is retried at the next call.
   */
  readonly context: (client: Option.Option<ClientInfo>) => Layer.Layer<R, E>
  /** What `initialize` said about the client, read when the context is built. */
  readonly clientInfo: () => Option.Option<ClientInfo>
  /** How long tool calls still running when the client goes away may take to finish. */
  readonly drainMillis?: number
}

/** The tool calls of one server: each decoded, run on the handlers' context, and encoded as a tool result. */
export interface ToolCalls {
  /** Runs one call to a tool the table has; `signal` stops it. Never rejects but for an interrupted call. */
  readonly call: (name: string, args: unknown, signal: AbortSignal) => Promise<CallToolResult>
  /** Waits (up to the drain budget) for the calls in flight, e.g. after stdin reached EOF. */
  readonly drain: Effect.Effect<void>
}

const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")

/**
 * `build` run on first use and its result kept: `get` runs it (concurrent first callers share one build; a failed
 * build is not kept), `cached` is the result once there is one.
 */
const lazily = <A, E>(build: Effect.Effect<A, E>) =>
  Effect.map(Effect.makeSemaphore(1), (lock) => {
    let cached: A | undefined
    const fill = Effect.suspend(() =>
      cached !== undefined ? Effect.succeed(cached) : Effect.tap(build, (a) => void (cached = a))
    )
    return {
      get: Effect.suspend(() => (cached !== undefined ? Effect.succeed(cached) : lock.withPermits(1)(fill))),
      cached: (): A | undefined => cached
    }
  })

/** The handlers' context, and how to start a call on a runtime that already holds it. */
interface Built<R> {
  readonly context: Context.Context<R>
  readonly run: (effect: Effect.Effect<CallToolResult, never, R>) => Fiber.RuntimeFiber<CallToolResult, never>
}

/**
 * Runs `fiber`'s result into a promise, interrupting the fiber when `signal` aborts (the client cancelled the request
 * or went away). The fiber itself is the call: no second fiber waits on the signal, no race is forked per call.
 */
const settle = <A>(fiber: Fiber.RuntimeFiber<A, never>, signal: AbortSignal): Promise<A> =>
  new Promise((resolve, reject) => {
    const onAbort = () => fiber.unsafeInterruptAsFork(fiber.id())
    if (signal.aborted) onAbort()
    else signal.addEventListener("abort", onAbort, { once: true })
    fiber.addObserver((exit) => {
      signal.removeEventListener("abort", onAbort)
      if (Exit.isSuccess(exit)) resolve(exit.value)
      else reject(Cause.squash(exit.cause))
    })
  })

/**
 * The calls as a scoped service: on release, calls in flight are interrupted, then the handlers' layer is
 * released.
 */
export const make = <R, E>(options: ToolCallsOptions<R, E>): Effect.Effect<ToolCalls, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    // Created first so it is released last, after the calls that use it are interrupted.
    const contextScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const fibers = yield* FiberSet.make<CallToolResult, never>()
    const runFork = yield* FiberSet.runtime(fibers)<never>()
    const byName = new Map(options.tools.map((t) => [t.name, t]))

    // Once built, calls start on a runtime that holds the handlers' context: no per-call `provide`, which copies
    // the context and sets it around the handler (about fifteen of a call's steps).
    const built = yield* lazily(
      Effect.flatMap(
        Effect.suspend(() => Layer.buildWithScope(options.context(options.clientInfo()), contextScope)),
        (context) =>
          Effect.map(Effect.provide(FiberSet.runtime(fibers)<R>(), context), (run): Built<R> => ({
            context,
            run: (effect) => run(effect)
          }))
      )
    )

    // Each tool's decoder and encoder, made at its first call and kept: a call decodes and encodes synchronously,
    // with no Effect of its own, and a tool never called builds neither.
    const codecs = new Map<
      string,
      {
        readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
        readonly encode: (a: unknown) => Either.Either<JsonObject, ParseResult.ParseError>
      }
    >()
    const codecOf = (def: AnyToolDef<R>) => {
      let codec = codecs.get(def.name)
      if (codec === undefined) {
        codec = {
          decode: Schema.decodeUnknownEither(def.input, { errors: "all", onExcessProperty: "error" }),
          encode: def.encoded === true ? (a: unknown) => Either.right(a as JsonObject) : Schema.encodeEither(def.output)
        }
        codecs.set(def.name, codec)
      }
      return codec
    }

    /** A failure the tool reports (`isError`); an interruption stays one; a defect is logged and INTERNAL. */
    const settled = (name: string) =>
      Effect.catchAllCause((cause: Cause.Cause<unknown>) => {
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure)) return Effect.succeed(errorResult(toolErrorOf(failure.value)))
        if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
        return Effect.logError(`tool ${name} failed`, cause).pipe(
          Effect.as(errorResult(toolErrorOf(Cause.squash(cause))))
        )
      })

    /**
     * A call's result at once (an unknown tool, arguments that do not decode), or the handler's run to its encoded
     * result, which needs the handlers' context.
     */
    const prepare = (name: string, args: unknown): CallToolResult | Effect.Effect<CallToolResult, unknown, R> => {
      const def = byName.get(name)
      if (def === undefined) {
        return errorResult(
          renderToolError(
            new InvalidArgument({
              message: `unknown tool ${JSON.stringify(name)}`,
              hint: "Call tools/list for the tools this server offers."
            })
          )
        )
      }
      const codec = codecOf(def)
      const input = codec.decode(args ?? {})
      if (Either.isLeft(input)) {
        return errorResult(
          toolErrorOf(
            new InvalidArgument({
              message: `${name}: ${describeParseError(input.left)}`,
              hint: "Check the arguments against the tool's input schema."
            })
          )
        )
      }
      // The result is the output Schema's encoding; a value that does not encode is a bug (INTERNAL, logged).
      return Effect.flatMap(def.handler(input.right), (value) => {
        const encoded = codec.encode(value)
        return Either.isRight(encoded) ? Effect.succeed(successResult(encoded.right)) : Effect.die(encoded.left)
      })
    }

    // No tracing span (per call, or for the context build): nothing exports spans from this process, the log line
    // of a defect names the tool, and the tracer's code would be compiled and kept for nothing.
    const finish = <R2>(name: string, run: Effect.Effect<CallToolResult, unknown, R2>) =>
      run.pipe(settled(name), Effect.orDie)

    return {
      call: (name, args, signal) => {
        const prepared = prepare(name, args)
        if (!Effect.isEffect(prepared)) return Promise.resolve(prepared)
        const ready = built.cached()
        const fiber =
          ready !== undefined
            ? ready.run(finish(name, prepared))
            : runFork(
                finish(
                  name,
                  Effect.flatMap(built.get, (b) => Effect.provide(prepared, b.context))
                )
              )
        return settle(fiber, signal)
      },
      drain: Effect.flatMap(FiberSet.size(fibers), (n) =>
        n === 0
          ? Effect.void
          : FiberSet.awaitEmpty(fibers).pipe(Effect.timeoutOption(options.drainMillis ?? 2000), Effect.asVoid)
      )
    }
  })
