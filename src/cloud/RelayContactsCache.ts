import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { RelayContact } from "./RelayWire.js"

/*
 * The relay's contact list (each contact's identity key and newest encryption-key record) as the daemon last read
 * it, shared by the presence fiber, which reads it every 15 s, and the outbox pump, which seals to it. A send reuses
 * a list read moments ago instead of asking the relay again before every message: an encryption key is kept 14 days
 * past its rotation, so a list seconds old still names a key the contact opens
 * (docs/adr/0040-daemon-send-path-without-waits.md).
 */

/** How long a read list is sealed to: the presence fiber's fetch interval, so a steady daemon never reads it twice. */
export const CONTACTS_REUSE_MS = 15_000

export interface RelayContactsCache {
  /** The list stored less than the reuse window ago. */
  readonly recent: Effect.Effect<Option.Option<ReadonlyArray<RelayContact>>>
  /** Stores a list just read from the relay (its identity rotations already adopted). */
  readonly put: (list: ReadonlyArray<RelayContact>) => Effect.Effect<void>
}

export const makeRelayContactsCache = (reuseMs: number = CONTACTS_REUSE_MS) =>
  Effect.map(
    Ref.make<{ readonly at: number; readonly list: ReadonlyArray<RelayContact> } | undefined>(undefined),
    (ref): RelayContactsCache => ({
      recent: Effect.gen(function* () {
        const cached = yield* Ref.get(ref)
        const now = yield* Clock.currentTimeMillis
        return cached !== undefined && now - cached.at >= 0 && now - cached.at < reuseMs
          ? Option.some(cached.list)
          : Option.none()
      }),
      put: (list) => Effect.flatMap(Clock.currentTimeMillis, (at) => Ref.set(ref, { at, list }))
    })
  )
