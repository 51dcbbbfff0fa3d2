import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { formatIso } from "../domain/UtcTime.js"
import { Store } from "./store/Store.js"

export const EVENT_LOG = "events.log"

/** Appends one JSON line to the event log. Never fails the caller: a log that cannot be written is only reported. */
export const logEvent = (event: string, data: Record<string, unknown> = {}): Effect.Effect<void, never, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const at = formatIso(yield* DateTime.now)
    yield* store.append(EVENT_LOG, JSON.stringify({ at, event, data }) + "\n")
  }).pipe(Effect.catchAll((error) => Effect.logWarning(`event log not written: ${error.message}`)))
