import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { areaOf, isRecordName, WATCHED_TREES } from "../bridge/ChangeAreas.js"
import { Store, type StoreChange } from "../services/store/Store.js"
import { watch } from "../services/store/StoreWatch.js"

/** What a change under the home affects, as the page names its views. */
export const Topic = ["sessions", "messages", "broadcasts", "channels", "artifacts"] as const
export type Topic = (typeof Topic)[number]

/** One batch of changes seen within a short window. */
export interface ChangeBatch {
  readonly topics: ReadonlyArray<Topic>
  readonly dirs: ReadonlyArray<string>
}

/** The views a change in `dir` (a store path) may alter. */
export const topicsOf = (dir: string): ReadonlyArray<Topic> => {
  switch (areaOf(dir)) {
    case "sessions":
      return ["sessions"]
    case "inboxes":
      return ["messages", "sessions"]
    case "broadcasts":
      return ["broadcasts", "messages"]
    case "channels":
      return ["channels", "messages"]
    case "artifacts":
      return ["artifacts"]
    case "readState":
      return ["sessions"]
    default:
      return []
  }
}

/** Changes under the home, batched; every subscriber sees every batch published after it subscribed. */
export class ChangeFeed extends Context.Tag("session-bridge/ChangeFeed")<
  ChangeFeed,
  {
    /** A subscription: batches published from now on, until the scope closes. */
    readonly subscribe: Effect.Effect<Stream.Stream<ChangeBatch>, never, Scope.Scope>
  }
>() {}

/**
 * Watches the session, inbox, broadcast, channel, artifact and read-marker trees with Store.watch.
 * Subdirectories (one inbox per session, one history per channel) are followed as they appear;
 * only directories that exist are watched below the top level, so watching never creates state.
 */
export const make = Effect.gen(function* () {
  const store = yield* Store
  const raw = yield* Queue.unbounded<StoreChange>()
  const watched = yield* Ref.make(new Set<string>())
  const scope = yield* Effect.scope

  const follow = (dir: string, depth: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      const fresh = yield* Ref.modify(watched, (set) => (set.has(dir) ? [false, set] : [true, new Set(set).add(dir)]))
      if (!fresh) return
      yield* watch(store, dir).pipe(
        Stream.runForEach((change) =>
          Queue.offer(raw, change).pipe(
            Effect.zipRight(depth > 0 ? followChild(dir, change.name, depth - 1) : Effect.void)
          )
        ),
        Effect.catchAll((error) => Effect.logDebug(`ui: stopped watching ${dir}: ${error.message}`)),
        Effect.forkIn(scope)
      )
      if (depth > 0) {
        const names = yield* store.list(dir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
        yield* Effect.forEach(names, (name) => followChild(dir, name, depth - 1), { discard: true })
      }
    })

  const followChild = (dir: string, name: string, depth: number): Effect.Effect<void> =>
    isRecordName(name)
      ? Effect.void
      : store.stat(`${dir}/${name}`).pipe(
          Effect.flatMap((st) =>
            st._tag === "Some" && st.value.isDirectory ? follow(`${dir}/${name}`, depth) : Effect.void
          ),
          Effect.catchAll(() => Effect.void)
        )

  yield* Effect.forEach(WATCHED_TREES, ({ dir, depth }) => follow(dir, depth), { discard: true })

  const hub = yield* PubSub.unbounded<ChangeBatch>()
  yield* Stream.fromQueue(raw).pipe(
    Stream.groupedWithin(256, "50 millis"),
    Stream.map((chunk) => {
      const dirs = [...new Set(Array.from(chunk, (c) => c.dir))]
      const topics = Topic.filter((t) => dirs.some((d) => topicsOf(d).includes(t)))
      return { topics, dirs }
    }),
    Stream.runForEach((batch) => PubSub.publish(hub, batch)),
    Effect.forkIn(scope)
  )
  return ChangeFeed.of({ subscribe: Effect.map(PubSub.subscribe(hub), (queue) => Stream.fromQueue(queue)) })
})

export const layer: Layer.Layer<ChangeFeed, never, Store> = Layer.scoped(ChangeFeed, make)
