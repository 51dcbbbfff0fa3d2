import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  AmbiguousRecipient,
  InvalidArgument,
  type InvalidName,
  type LockTimeout,
  RecipientNotFound,
  type StoreError
} from "../domain/Errors.js"
import { requireLabel } from "../domain/Names.js"
import { nfc } from "../domain/Nfc.js"
import type { SessionRecord } from "../domain/Records.js"
import { isUlid, SessionId } from "../domain/Ulid.js"
import { logEvent } from "../services/EventLog.js"
import { Store, type StoreShape } from "../services/store/Store.js"
import { normalizeCwd } from "./Pointers.js"

/** How a sender names one recipient session. */
export type Address = { readonly label: string } | { readonly cwd: string } | { readonly sessionId: string }

/** A session's record and whether it is live, as the registry lists it. */
export interface SessionStatus {
  readonly record: SessionRecord
  readonly online: boolean
}

/**
 * How an address reached its session: for a label or a cwd that matched several sessions, how many there were
 * (live ones when any was live) and that the newest lastSeen was chosen.
 */
export interface Resolved {
  readonly record: SessionRecord
  readonly ambiguous?: AddressMatch | undefined
}

export interface AddressMatch {
  readonly by: "label" | "cwd"
  readonly value: string
  /** How many sessions matched (the live ones, or every one when none is live). */
  readonly matches: number
  /** True when the matches counted are live sessions. */
  readonly online: boolean
}

/** What resolving an address may fail with. */
export type AddressFailure =
  InvalidArgument | InvalidName | AmbiguousRecipient | RecipientNotFound | StoreError | LockTimeout

/**
 * Addressing: a label or an absolute cwd matches any registered session, live ones first (several: the newest
 * lastSeen wins, and ambiguous_label_resolved / ambiguous_cwd_resolved is logged); a full id names one
 * session; a 6-25 character prefix (any case) must be unique among live sessions.
 */
export const makeResolve = <E>(deps: {
  readonly list: (options?: {
    readonly includeOffline?: boolean | undefined
  }) => Effect.Effect<ReadonlyArray<SessionStatus>, E>
  readonly get: (sessionId: SessionId) => Effect.Effect<Option.Option<SessionRecord>, E>
  readonly store: StoreShape
}): ((address: Address) => Effect.Effect<Resolved, E | AddressFailure>) => {
  const { get, list, store } = deps
  const provideStore = Effect.provideService(Store, store)
  const pickNewest = (kind: "label" | "cwd", value: string, matches: ReadonlyArray<SessionStatus>) =>
    Effect.gen(function* () {
      const live = matches.filter((m) => m.online)
      const pool = live.length > 0 ? live : matches
      const chosen = pool[0]
      if (chosen === undefined) {
        return yield* new RecipientNotFound({ by: kind, value })
      }
      if (pool.length > 1) {
        yield* logEvent(`ambiguous_${kind}_resolved`, {
          [kind]: value,
          chosen: chosen.record.sessionId,
          candidates: pool.map((m) => m.record.sessionId)
        }).pipe(provideStore)
        const ambiguous: AddressMatch = { by: kind, value, matches: pool.length, online: live.length > 0 }
        return { record: chosen.record, ambiguous }
      }
      return { record: chosen.record }
    })

  const resolve = (address: Address): Effect.Effect<Resolved, E | AddressFailure> =>
    Effect.gen(function* () {
      if ("label" in address) {
        const label = yield* requireLabel(address.label)
        const all = yield* list({ includeOffline: true })
        return yield* pickNewest(
          "label",
          label,
          all.filter((s) => nfc(s.record.label) === label)
        )
      }
      if ("cwd" in address) {
        if (!address.cwd.startsWith("/")) {
          return yield* new InvalidArgument({
            message: `to.cwd must be an absolute path, got ${JSON.stringify(address.cwd.slice(0, 200))}`,
            hint: "Pass the peer's working directory starting with '/'."
          })
        }
        const cwd = normalizeCwd(address.cwd)
        const all = yield* list({ includeOffline: true })
        return yield* pickNewest(
          "cwd",
          cwd,
          all.filter((s) => s.record.cwd === cwd)
        )
      }
      const raw = address.sessionId.trim().toUpperCase()
      if (isUlid(raw)) {
        const found = yield* get(yield* Schema.decode(SessionId)(raw).pipe(Effect.orDie))
        if (Option.isSome(found)) return { record: found.value }
        return yield* new RecipientNotFound({ by: "sessionId", value: raw })
      }
      if (!/^[0-9A-Z]{6,25}$/.test(raw)) {
        return yield* new InvalidArgument({
          message: `to.sessionId must be a 26-character id or a 6-25 character prefix`,
          remedy: "sessionIds"
        })
      }
      const live = (yield* list()).filter((s) => s.record.sessionId.startsWith(raw))
      if (live.length > 1) {
        return yield* new AmbiguousRecipient({
          prefix: raw,
          live: true,
          candidates: live.map((s) => ({ sessionId: s.record.sessionId, label: s.record.label }))
        })
      }
      const only = live[0]
      if (only === undefined) return yield* new RecipientNotFound({ by: "prefix", value: raw })
      return { record: only.record }
    })
  return resolve
}
