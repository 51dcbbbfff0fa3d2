import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { bytesEqual } from "../protocol/Bytes.js"
import { safetyNumber } from "../protocol/SafetyNumber.js"
import { verifyRotation } from "../protocol/Statements.js"
import { CloudHome } from "./CloudHome.js"
import type { PinnedContact } from "./CloudState.js"
import { PREVIOUS_IK_GRACE_MS } from "./IdentityRotation.js"
import { RelayClient } from "./RelayClient.js"
import type { ContactRotation, RelayContact } from "./RelayWire.js"

/*
 * A contact's identity-key change, seen from this home (CLOUD.md 2.11): when the relay serves a key other than the
 * pinned one, the contacts' continuity statements are fetched and followed from the pinned key, each verified
 * (signed by the key it starts from and by the key it names). Reaching the served key re-pins it, with a visible
 * notice and the new safety number; anything else leaves the pin as it was: KEY_CHANGED, nothing sealed to the
 * served key, nothing signed by it opened, until a new invite. Each re-pin logs `contact_identity_rotated`.
 */

/** This account, as the adoption needs it: its relay token and its own identity key (for safety numbers). */
export interface Self {
  readonly token: string
  readonly ikPub: Uint8Array
}

/** An account's relay token and identity key. */
export const selfOf = (account: {
  readonly credentials: { readonly token: string }
  readonly identity: { readonly publicKey: Uint8Array }
}): Self => ({ token: account.credentials.token, ikPub: account.identity.publicKey })

export interface Adopted {
  /** Contacts re-pinned to a new identity key, with the new safety number. */
  readonly rotated: ReadonlyArray<{ readonly handle: string; readonly safetyNumber: string }>
  /** Contacts whose served key no valid chain of statements reaches (KEY_CHANGED). */
  readonly refused: ReadonlyArray<string>
}

/** The served key when a chain of valid statements leads to it from `pinned`, else none. */
export const followRotations = (pinned: Uint8Array, served: Uint8Array, statements: ReadonlyArray<ContactRotation>) =>
  Effect.gen(function* () {
    let current = pinned
    for (let hops = 0; hops <= statements.length; hops++) {
      if (bytesEqual(current, served)) return Option.some(current)
      const from = current
      const next = statements.find((s) => bytesEqual(s.oldIk, from))
      if (next === undefined) return Option.none<Uint8Array>()
      const checked = yield* Effect.either(verifyRotation(from, next))
      if (checked._tag === "Left") return Option.none<Uint8Array>()
      current = next.newIk
    }
    return Option.none<Uint8Array>()
  })

/**
 * Applies the relay's word on contacts' identity keys to the pins: every pin (not revoked) whose key differs from
 * the served one is moved along a verified chain of statements, or reported refused. Statements are fetched only
 * when some key differs.
 */
export const adoptRotations = (self: Self, listed: ReadonlyArray<RelayContact>) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const pins = yield* home.contacts
    const differs = (c: PinnedContact) => {
      const row = listed.find((r) => r.accountId === c.accountId)
      return c.state !== "revoked" && row?.ikPub != null && !bytesEqual(row.ikPub, c.ikPub) ? row.ikPub : undefined
    }
    if (!pins.some((c) => differs(c) !== undefined)) return { rotated: [], refused: [] } satisfies Adopted
    const statements = yield* (yield* RelayClient).identityRotations(self.token)
    const now = yield* Clock.currentTimeMillis
    const rotated: Array<{ handle: string; safetyNumber: string }> = []
    const refused: Array<string> = []
    const next: Array<PinnedContact> = []
    for (const c of pins) {
      const served = differs(c)
      if (served === undefined) {
        next.push(c)
        continue
      }
      const own = statements.filter((s) => s.accountId === c.accountId)
      const reached = yield* followRotations(c.ikPub, served, own)
      if (Option.isNone(reached)) {
        refused.push(c.handle)
        next.push(c)
        continue
      }
      const previous = [
        ...(c.previousIks ?? []).filter((p) => p.until > now),
        { ikPub: c.ikPub, until: now + PREVIOUS_IK_GRACE_MS }
      ]
      const moved: PinnedContact = { ...c, ikPub: reached.value, identityChangedAt: now, previousIks: previous }
      rotated.push({ handle: c.handle, safetyNumber: yield* safetyNumber(self.ikPub, moved.ikPub) })
      next.push(moved)
    }
    if (rotated.length > 0) yield* home.writeContacts(next)
    // The visible notice (the daemon's log, or stderr of the command that noticed it first).
    for (const r of rotated)
      yield* Effect.logWarning("contact_identity_rotated").pipe(
        Effect.annotateLogs({ handle: r.handle, safetyNumber: r.safetyNumber })
      )
    return { rotated, refused } satisfies Adopted
  })

/** After an envelope from `contact` failed its signature check: the pin moved by a verified rotation, if any. */
export const adoptFor = (self: Self, contact: PinnedContact) =>
  Effect.gen(function* () {
    const listed = yield* (yield* RelayClient).contacts(self.token)
    const adopted = yield* adoptRotations(self, listed)
    if (!adopted.rotated.some((r) => r.handle === contact.handle)) return Option.none<PinnedContact>()
    return Option.fromNullable((yield* (yield* CloudHome).contacts).find((c) => c.accountId === contact.accountId))
  })
