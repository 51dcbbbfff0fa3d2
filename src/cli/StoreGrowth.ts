import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { DEFAULT_GC, longOfflineSessions } from "../bridge/Housekeeping.js"
import { mayBeLiveBroadcast } from "../domain/BroadcastAge.js"
import { Layout } from "../domain/Layout.js"
import { Store } from "../services/store/Store.js"
import { plural } from "./Output.js"
import { type Check, check } from "./RoundTrips.js"

/** From this many long-offline session records on, doctor suggests gc. */
export const GROWTH_WARN_AT = 100

/**
 * What `session-bridge gc` would remove that every new session still reads: session records offline for longer
 * than gc's default (the registry is read whole by a session's first call and its start hook), and, for the
 * record, broadcasts expired by their ids' age (BroadcastAge: no longer read, only listed). Counted from the
 * records as gc reads them (longOfflineSessions: doctor quarantines nothing) and the broadcasts' names, so it
 * stays quick on a large home; a warning from GROWTH_WARN_AT records on.
 */
export const storeGrowthCheck: Effect.Effect<Check, never, Store> = Effect.gen(function* () {
  const now = yield* DateTime.now
  const nowMs = DateTime.toEpochMillis(now)
  const store = yield* Store
  const offline = (yield* longOfflineSessions(store, nowMs, DEFAULT_GC.offlineMs)).length
  const names = yield* store.list(Layout.broadcastsDir)
  const expired = names.filter((n) => n.endsWith(".json") && !mayBeLiveBroadcast(n, nowMs)).length
  const what = `${plural(offline, "session record")} offline for ${DEFAULT_GC.offlineMs / 86_400_000} days or more, ${plural(expired, "long-expired broadcast")}`
  return offline >= GROWTH_WARN_AT
    ? check("store", {
        level: "warn",
        message: `${what}: a new session's first call and its start hook read every session record`,
        remedy: "Run `session-bridge gc` (`--dry-run` lists what it removes first)."
      })
    : check("store", { level: "ok", message: what })
}).pipe(
  Effect.catchAll((e) =>
    Effect.succeed(check("store", { level: "warn", message: `could not count what gc would remove: ${e.message}` }))
  )
)
