import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { positiveIntFromEnv } from "../bridge/Limits.js"
import type { BridgeFailure } from "../domain/Errors.js"
import { parseArgs } from "../domain/HookArgs.js"
import { HostEnv } from "../services/HostEnv.js"
import { DEFAULT_BUDGET_MS, withBudget } from "./Budget.js"
import { findHost, type HookEvent, type HostAdapter, type HostPayload } from "./hosts/index.js"
import { type HookServices, nothing, onEnd, onPrompt, onStart, onTurnEnd } from "./HookActions.js"

export { type HookArgs, parseArgs } from "../domain/HookArgs.js"

/** What one run decided, for the entry point: the exact stdout, and a reason for SESSION_BRIDGE_DEBUG. */
export interface HookOutcome {
  readonly reply: string
  readonly note: string
  /** True when the reply carries an inbox block (the code that builds one has then run). */
  readonly shown?: boolean
}

/** A run's last step, run uninterruptibly once its preparation is done. */
interface Last {
  readonly run: Effect.Effect<HookOutcome, BridgeFailure>
}

const firstEnv = (env: typeof HostEnv.Service, names: ReadonlyArray<string>): string | undefined => {
  for (const name of names) {
    const value = env.get(name)
    if (Option.isSome(value)) return value.value
  }
  return undefined
}

/** The event's interruptible work; yields the commit to run last and how to wrap a non-empty block. */
const dispatch = (
  host: HostAdapter,
  hostEvent: string,
  event: HookEvent,
  payload: HostPayload,
  deadline: number,
  bundle: string | undefined
) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    // Only an absolute cwd names a folder: a relative one ("../../etc") would be registered as given.
    if (payload.cwd !== undefined && !payload.cwd.startsWith("/"))
      yield* Effect.logWarning(`ignored the payload's relative cwd ${JSON.stringify(payload.cwd.slice(0, 200))}`)
    const fromEnv = firstEnv(env, host.cwdEnv)
    const input = {
      provider: host.id,
      hostSessionId: payload.hostSessionId ?? firstEnv(env, host.sessionIdEnv),
      cwd: [payload.cwd, fromEnv].find((c) => c !== undefined && c.startsWith("/")) ?? env.cwd,
      bundle
    }
    const surfaceBy = host.surfaceOn.includes(event) ? deadline : undefined
    switch (event) {
      case "start":
        return yield* onStart(input, surfaceBy, host.contextAtStart === true)
      case "prompt":
        return yield* onPrompt(input, surfaceBy)
      case "turn-end":
        yield* onTurnEnd(input)
        return nothing
      case "end":
        yield* onEnd(input)
        return nothing
    }
  })

/**
 * One hook run: decode the host's stdin, do the event's work inside the budget, and choose the exact reply.
 * Never fails: an unknown provider or event, empty or malformed stdin, a failure, a defect or the budget running
 * out all give the host's empty reply (an unknown provider gets an empty stdout). `services` are built inside the
 * budget too; `elapsedMs` is the time the process already spent starting, taken off the budget. `bundle` names the
 * hook bundle this runs from: with it, a prompt that finds nothing waiting leaves a stamp for the launcher's fast path.
 */
export const runHook = <R>(
  args: ReadonlyArray<string>,
  stdin: Effect.Effect<string, unknown>,
  services: Effect.Effect<Context.Context<HookServices>, unknown, R>,
  elapsedMs = 0,
  bundle?: string
): Effect.Effect<HookOutcome, never, HostEnv | R> =>
  Effect.gen(function* () {
    yield* Effect.logDebug(`started after ${Math.round(elapsedMs)} ms`)
    const env = yield* HostEnv
    const parsed = parseArgs(args)
    const host = findHost(parsed.provider ?? Option.getOrElse(env.get("SESSION_BRIDGE_PROVIDER"), () => ""))
    if (host === undefined) return { reply: "", note: `unknown provider ${JSON.stringify(parsed.provider ?? "")}` }
    const hostEvent = parsed.event ?? ""
    const empty = host.emptyReply(hostEvent)
    const event = Object.hasOwn(host.events, hostEvent) ? host.events[hostEvent] : undefined
    if (event === undefined) return { reply: empty, note: `unknown event ${JSON.stringify(hostEvent)} for ${host.id}` }

    const budgetMs = positiveIntFromEnv(env, "SESSION_BRIDGE_HOOK_BUDGET_MS", DEFAULT_BUDGET_MS)
    const deadline = (yield* Clock.currentTimeMillis) + budgetMs - elapsedMs
    const done = (reply: string, note: string): Last => ({ run: Effect.succeed({ reply, note }) })
    const work = Effect.gen(function* () {
      const raw = yield* stdin
      yield* Effect.logDebug(`read ${raw.length} characters of stdin`)
      if (raw.trim() === "") return done(empty, "empty stdin")
      const payload = host.decode(raw)
      if (Either.isLeft(payload)) return done(empty, `malformed payload: ${payload.left}`)
      yield* Effect.logDebug("payload decoded")
      // The services' instances outlive this scope inside the commit; none of them holds a resource.
      const commit = yield* Effect.flatMap(services, (ctx) =>
        Effect.provide(dispatch(host, hostEvent, event, payload.right, deadline, bundle), ctx)
      )
      return {
        run: Effect.map(commit.run, (text) => {
          const full = commit.lead === undefined ? text : text === "" ? commit.lead : `${commit.lead}\n\n${text}`
          return {
            reply: full === "" ? empty : host.contextReply(hostEvent, full),
            note: `${host.id} ${hostEvent} (${event}) done`,
            shown: text !== ""
          }
        })
      }
    })
    const outcome = yield* withBudget(
      Effect.map(work, (last) => last.run),
      budgetMs - elapsedMs
    )
    switch (outcome._tag) {
      case "Done":
        return outcome.value
      case "TimedOut":
        return { reply: empty, note: `budget of ${budgetMs} ms ran out; work interrupted` }
      case "Failed":
        return { reply: empty, note: `failed: ${Cause.pretty(outcome.cause)}` }
    }
  })
