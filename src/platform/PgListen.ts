import { createRequire } from "node:module"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ListenEvent } from "../relay/PgWaiters.js"
import { RelayStoreIo } from "../relay/RelayErrors.js"

/** The part of the `pg` driver's `Client` this file uses (the package ships no types of its own). */
interface PgNotification {
  readonly channel: string
  readonly payload?: string | undefined
}
interface PgRawClient {
  connect(): Promise<void>
  query(text: string): Promise<{ readonly rows: ReadonlyArray<Record<string, unknown>> }>
  end(): Promise<void>
  on(event: "notification", listener: (message: PgNotification) => void): void
  on(event: "error", listener: (error: Error) => void): void
  on(event: "end", listener: () => void): void
  removeAllListeners(): void
}
interface PgModule {
  readonly Client: new (config: Record<string, unknown>) => PgRawClient
}

/**
 * `pg` as `@effect/sql-pg` resolves it: a dependency of that package, not of ours, so it is loaded from there (an
 * install that has `@effect/sql-pg` always has its `pg`, hoisted or not).
 */
const loadPg = Effect.try({
  try: (): PgModule => {
    const here = createRequire(import.meta.url)
    return createRequire(here.resolve("@effect/sql-pg"))("pg") as PgModule
  },
  catch: (cause) => new RelayStoreIo({ op: "listen", cause })
})

/**
 * One dedicated PostgreSQL connection that LISTENs on `channels` (docs/adr/0027-pg-listen-waiters.md). It is a
 * plain `pg` client of its own, never a pooled connection, so its end is seen at once: the stream fails with
 * `RelayStoreIo` when the connection errors or ends (a terminated backend, a restarted server), and the caller
 * reconnects. The first element is `Listening` (with the backend's pid); the connection closes with the scope.
 * Events are pushed from the driver's callbacks straight into the stream's buffer (unbounded: a notification is
 * never dropped), with no fiber started per event.
 * TCP keep-alive is on so a peer that vanished without a FIN is noticed too.
 */
export const listen = (options: {
  readonly url: string
  readonly applicationName: string
  readonly channels: ReadonlyArray<string>
}): Stream.Stream<ListenEvent, RelayStoreIo> =>
  Stream.asyncPush<ListenEvent, RelayStoreIo>((emit) =>
    Effect.gen(function* () {
      const pg = yield* loadPg
      const lost = (cause: unknown) => emit.fail(new RelayStoreIo({ op: "listen", cause }))
      const client = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new pg.Client({
              connectionString: options.url,
              application_name: options.applicationName,
              keepAlive: true
            })
        ),
        (c) =>
          Effect.promise(() => {
            c.removeAllListeners()
            // An `error` after close must not become an unhandled event.
            c.on("error", () => undefined)
            return c.end().catch(() => undefined)
          }).pipe(Effect.timeoutOption("1 second"))
      )
      client.on("error", lost)
      client.on("end", () => lost(new Error("the LISTEN connection ended")))
      client.on("notification", (message) => {
        if (options.channels.includes(message.channel) && message.payload !== undefined) {
          emit.single({ _tag: "Notification", channel: message.channel, payload: message.payload })
        }
      })
      const quoted = (channel: string) => `"${channel.replace(/"/g, '""')}"`
      const pid = yield* Effect.tryPromise({
        try: async () => {
          await client.connect()
          for (const channel of options.channels) await client.query(`LISTEN ${quoted(channel)}`)
          const rows = (await client.query("SELECT pg_backend_pid() AS pid")).rows
          return Number(rows[0]?.["pid"] ?? 0)
        },
        catch: (cause) => new RelayStoreIo({ op: "listen", cause })
      })
      emit.single({ _tag: "Listening", backendPid: pid })
    })
  )
