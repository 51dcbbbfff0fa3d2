import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Store } from "../services/store/Store.js"
import { atMostEvery } from "./AtMostEvery.js"
import { CloudLayout } from "./CloudLayout.js"
import { type Credentials, OutboxEntry, type OutboxState } from "./CloudState.js"
import { RelayClient } from "./RelayClient.js"

/*
 * The relay-level delivery states of what this account sent (CLOUD.md 2.8): a message the relay `stored` becomes
 * `delivered` once the recipient's daemon acked past it, `expired` when the relay dropped it unfetched at `exp`, or
 * `refused:<reason>` (e.g. the contact was revoked while it waited). Asked with `GET /v1/sent/{id}` for the entries
 * of `sent/` still `stored`, oldest first; `surfaced` and `read` come from receipts instead (Receipts.ts).
 */

const decode = Schema.decodeUnknownOption(Schema.parseJson(OutboxEntry))
const encode = (entry: OutboxEntry) => JSON.stringify(Schema.encodeSync(OutboxEntry)(entry), null, 2) + "\n"

export interface SentRefresh {
  readonly asked: number
  readonly changed: number
}

/**
 * Asks the relay about at most `limit` stored entries. A relay failure stops the round (the next one asks again);
 * a 401 is returned to the caller.
 *
 * `settled` holds the names of entries this refresher found past `stored` (or unreadable) in earlier rounds: a
 * state only moves on from `stored`, never back to it, so they are not read again. A daemon keeps one set for its
 * whole run, and each round reads only the entries still `stored` and the new ones, not every message the account
 * ever sent. Names whose files are gone leave the set.
 */
export const refreshSent = (credentials: Credentials, limit = 50, settled: Set<string> = new Set()) =>
  Effect.gen(function* () {
    const store = yield* Store
    const relay = yield* RelayClient
    const names = (yield* store.list(CloudLayout.sentDir)).filter((n) => n.endsWith(".json")).sort()
    if (settled.size > 0) {
      const listed = new Set(names)
      for (const name of settled) if (!listed.has(name)) settled.delete(name)
    }
    let asked = 0
    let changed = 0
    for (const name of names) {
      if (asked >= limit) break
      if (settled.has(name)) continue
      const path = `${CloudLayout.sentDir}/${name}`
      const text = yield* store.readText(path)
      if (Option.isNone(text)) continue
      const entry = decode(text.value)
      if (Option.isNone(entry) || entry.value.state !== "stored") {
        settled.add(name)
        continue
      }
      asked++
      const status = yield* Effect.either(relay.sentStatus(credentials.token, entry.value.id))
      if (status._tag === "Left") {
        if (status.left._tag === "RelayAuth") return yield* status.left
        break
      }
      const s = status.right
      const next: OutboxState | undefined =
        s.state === "delivered"
          ? "delivered"
          : s.state === "expired"
            ? "expired"
            : s.state === "refused"
              ? `refused:${s.reason ?? "not_a_contact"}`
              : undefined
      if (next === undefined) continue
      // Re-read: a receipt applied meanwhile (surfaced, read) is further along and stays.
      const current = Option.flatMap(yield* store.readText(path), decode)
      if (Option.isNone(current) || current.value.state !== "stored") continue
      yield* store.write(path, encode({ ...current.value, state: next, updatedAt: yield* Clock.currentTimeMillis }))
      settled.add(name)
      changed++
    }
    return { asked, changed } satisfies SentRefresh
  })

/**
 * The daemon's refresh: `refreshSent` at most every `intervalMs` (the pump calls it on each pass), with one set of
 * settled entries for the daemon's whole run.
 */
export const sentRefresher = (intervalMs: number) =>
  Effect.map(atMostEvery(intervalMs), (every) => {
    const settled = new Set<string>()
    return (credentials: Credentials) => every(refreshSent(credentials, undefined, settled))
  })
