import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { bytesEqual, toBase64Url, toHex } from "../protocol/Bytes.js"
import {
  deriveInviteKeys,
  type InviteParty,
  makeOffer,
  makeReply,
  newInvite,
  openOffer,
  openReply
} from "../protocol/Invite.js"
import { parseInviteCode } from "../protocol/InviteCode.js"
import { fingerprint } from "../protocol/Keys.js"
import { safetyNumber } from "../protocol/SafetyNumber.js"
import type { Handle } from "../protocol/WireSchemas.js"
import { Store } from "../services/store/Store.js"
import { type Account, requireAccount } from "./Account.js"
import { CloudProtocolRefused, fromProtocol, InviteInvalid, NotAContact } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { type PinnedContact, StoredInvite } from "./CloudState.js"
import { adoptRotations, selfOf } from "./IdentityContinuity.js"
import { RelayClient } from "./RelayClient.js"
import type { RelayContact } from "./RelayWire.js"

/*
 * Contacts (CLOUD.md 2.3, 2.10): invite → add → accept with keys bound by the invite's secret, revoke by either
 * side, and the local pins every trust decision is made against. The relay's word changes a pin's state only
 * towards less trust (pending → active once the relay says the inviter accepted; anything → revoked); a revoked
 * pin is never revived except by a new invite.
 */

/** An invite lives 24 hours. */
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000

const encodeInvite = (invite: StoredInvite) => JSON.stringify(Schema.encodeSync(StoredInvite)(invite), null, 2) + "\n"
const decodeInvite = Schema.decodeUnknownOption(Schema.parseJson(StoredInvite))

const partyOf = (account: Account) => ({
  identity: account.identity,
  handle: account.credentials.handle,
  accountId: account.credentials.accountId,
  ek: account.currentKey.record
})

/** Pins a contact from an opened offer or reply, replacing any earlier pin of the same account or handle. */
const pin = (party: InviteParty, state: PinnedContact["state"]) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const now = yield* Clock.currentTimeMillis
    const others = (yield* home.contacts).filter((c) => c.accountId !== party.accountId && c.handle !== party.handle)
    const pinned: PinnedContact = {
      handle: party.handle,
      accountId: party.accountId,
      ikPub: party.ikPub,
      state,
      ek: party.ek,
      pinnedAt: now
    }
    yield* home.writeContacts([...others, pinned])
    return pinned
  })

/** The 20-digit safety number of this account and a pinned contact. */
export const safetyNumberWith = (account: Account, contact: { readonly ikPub: Uint8Array }) =>
  safetyNumber(account.identity.publicKey, contact.ikPub)

/** `contact invite`: a fresh secret, a sealed offer at the relay, the secret kept locally until accept. */
export const createInvite = Effect.gen(function* () {
  const account = yield* requireAccount
  const relay = yield* RelayClient
  const now = yield* Clock.currentTimeMillis
  const expiresAt = now + INVITE_TTL_MS
  const { secret, code } = yield* newInvite
  const { id, offer } = yield* makeOffer(secret, partyOf(account), expiresAt)
  const stored: StoredInvite = { v: 1, id: toBase64Url(id), secret, offer, expiresAt, createdAt: now }
  // The secret is on disk before the relay knows the invite: a redeemed invite can always be accepted.
  yield* (yield* Store).write(CloudLayout.invite(stored.id), encodeInvite(stored))
  yield* relay.createInvite(account.credentials.token, { id, exp: expiresAt, offer })
  return { code, expiresAt }
})

/** The secret of an sb1 invite code; anything else is INVITE_CODE_INVALID. */
export const inviteSecret = (code: string) =>
  Option.match(parseInviteCode(code), {
    onNone: () =>
      Effect.fail(
        new CloudProtocolRefused({
          code: "INVITE_CODE_INVALID",
          detail: "the text is not an sb1 invite code",
          hint: "Copy the whole code `contact invite` printed (sb1-XXXXX-...); letters are case-insensitive."
        })
      ),
    onSome: Effect.succeed
  })

/** `contact add <code>`: opens the inviter's offer with the code's secret, pins its keys, redeems the invite. */
export const addContact = (code: string) =>
  Effect.gen(function* () {
    const secret = yield* inviteSecret(code)
    const account = yield* requireAccount
    const relay = yield* RelayClient
    const token = account.credentials.token
    const { id } = yield* deriveInviteKeys(secret)
    const found = yield* relay.lookupInvite(token, id)
    if (found.inviterAccountId === account.credentials.accountId)
      return yield* new InviteInvalid({ detail: "this is your own invite: give the code to the person to add" })
    const inviter = yield* openOffer(secret, found.offer, {
      handle: found.inviterHandle,
      accountId: found.inviterAccountId
    }).pipe(Effect.mapError(fromProtocol))
    const reply = yield* makeReply(secret, found.offer, partyOf(account))
    // Pinned before the relay is told: a redeemed invite is single use, so its keys must not be lost after it.
    const pinned = yield* pin(inviter, "pending")
    yield* relay.redeemInvite(token, id, reply)
    return {
      handle: pinned.handle,
      accountId: pinned.accountId,
      state: pinned.state,
      safetyNumber: yield* safetyNumberWith(account, pinned)
    }
  })

/** The stored invites, undecodable ones skipped. */
const storedInvites = Effect.gen(function* () {
  const store = yield* Store
  const names = (yield* store.list(CloudLayout.invitesDir)).filter((n) => n.endsWith(".json"))
  const read = yield* Effect.forEach(names, (n) =>
    Effect.map(store.readText(`${CloudLayout.invitesDir}/${n}`), (t) => Option.flatMap(t, decodeInvite))
  )
  return read.flatMap(Option.toArray)
})

/** Removes the secrets of invites past their expiry (a secret is kept only while its invite can be used). */
export const pruneInvites = Effect.gen(function* () {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  let removed = 0
  for (const invite of yield* storedInvites)
    if (invite.expiresAt <= now && (yield* store.remove(CloudLayout.invite(invite.id)))) removed++
  return removed
})

/**
 * `contact accept <handle>`: finds this account's invite that `handle` redeemed, opens the reply with the invite's
 * secret, checks it against the relay's redeemer fields, pins the redeemer and accepts at the relay.
 */
export const acceptContact = (handle: Handle) =>
  Effect.gen(function* () {
    const account = yield* requireAccount
    const relay = yield* RelayClient
    const store = yield* Store
    const token = account.credentials.token
    const redeemed = (yield* relay.redeemedInvites(token)).filter((i) => i.redeemerHandle === handle)
    const local = yield* storedInvites
    for (const invite of redeemed) {
      const mine = local.find((l) => l.id === toBase64Url(invite.id))
      if (mine === undefined || invite.reply === null || invite.redeemerAccountId === null) continue
      const redeemer = yield* openReply(mine.secret, mine.offer, invite.reply, {
        handle,
        accountId: invite.redeemerAccountId
      }).pipe(Effect.mapError(fromProtocol))
      const pinned = yield* pin(redeemer, "active")
      yield* relay.acceptContact(token, handle)
      yield* store.remove(CloudLayout.invite(mine.id))
      return {
        handle: pinned.handle,
        accountId: pinned.accountId,
        state: pinned.state,
        safetyNumber: yield* safetyNumberWith(account, pinned)
      }
    }
    return yield* new InviteInvalid({
      detail: `no invite of yours redeemed by ${handle} waits for acceptance (or its secret is not on this home)`
    })
  })

/** The pinned contact named `handle`, or NOT_A_CONTACT. */
export const requireContact = (handle: string) =>
  Effect.gen(function* () {
    const found = (yield* (yield* CloudHome).contacts).find((c) => c.handle === handle)
    if (found === undefined) return yield* new NotAContact({ detail: `no contact named ${handle} on this home` })
    return found
  })

/**
 * `contact revoke <handle>`: the pin becomes revoked first (from then on nothing from that account is delivered,
 * whatever the relay serves), then the relay is told. The local revocation stands when the relay cannot be reached.
 */
export const revokeContact = (handle: Handle) =>
  Effect.gen(function* () {
    const account = yield* requireAccount
    const home = yield* CloudHome
    const contact = yield* requireContact(handle)
    const now = yield* Clock.currentTimeMillis
    if (contact.state !== "revoked")
      yield* home.writeContacts(
        (yield* home.contacts).map((c) =>
          c.accountId === contact.accountId ? { ...c, state: "revoked" as const, revokedAt: now } : c
        )
      )
    const told = yield* Effect.either((yield* RelayClient).revokeContact(account.credentials.token, handle))
    return {
      handle,
      state: "revoked" as const,
      relay: told._tag === "Right" ? "revoked" : `${told.left.code}: ${told.left.message}`
    }
  })

/** What changed when the relay's contact list was applied to the pins. */
export interface SyncResult {
  readonly activated: ReadonlyArray<string>
  readonly revoked: ReadonlyArray<string>
  /** Contacts whose identity key at the relay is not the pinned one (KEY_CHANGED: the pin is kept). */
  readonly keyChanged: ReadonlyArray<string>
}

/** Applies the relay's contact list to the local pins (only ever towards less trust, see the top of this file). */
export const syncContacts = (listed: ReadonlyArray<RelayContact>) =>
  Effect.gen(function* () {
    const home = yield* CloudHome
    const now = yield* Clock.currentTimeMillis
    const pins = yield* home.contacts
    const activated: Array<string> = []
    const revoked: Array<string> = []
    const keyChanged: Array<string> = []
    const next = pins.map((c): PinnedContact => {
      const row = listed.find((r) => r.accountId === c.accountId)
      if (row === undefined) return c
      if (row.ikPub !== null && !bytesEqual(row.ikPub, c.ikPub)) keyChanged.push(c.handle)
      if (row.state === "revoked" && c.state !== "revoked") {
        revoked.push(c.handle)
        return { ...c, state: "revoked", revokedAt: now }
      }
      if (row.state === "active" && c.state === "pending") {
        activated.push(c.handle)
        return { ...c, state: "active" }
      }
      return c
    })
    if (activated.length > 0 || revoked.length > 0) yield* home.writeContacts(next)
    return { activated, revoked, keyChanged } satisfies SyncResult
  })

/** `contact list`: the pins, brought up to date with the relay when it answers, with last seen. */
export const listContacts = Effect.gen(function* () {
  const account = yield* requireAccount
  const listed = yield* Effect.either((yield* RelayClient).contacts(account.credentials.token))
  // Signed identity rotations are followed first: only a change no statement carries is left as KEY_CHANGED.
  if (listed._tag === "Right") yield* Effect.ignore(adoptRotations(selfOf(account), listed.right))
  const sync = listed._tag === "Right" ? yield* syncContacts(listed.right) : undefined
  const pins = yield* (yield* CloudHome).contacts
  return {
    relay: listed._tag === "Right" ? "reachable" : `${listed.left.code}: ${listed.left.message}`,
    contacts: yield* Effect.forEach(pins, (c) =>
      Effect.map(safetyNumberWith(account, c), (sas) => {
        const row = listed._tag === "Right" ? listed.right.find((r) => r.accountId === c.accountId) : undefined
        return {
          handle: c.handle,
          accountId: c.accountId,
          state: c.state,
          lastSeen: row?.lastSeen ?? null,
          safetyNumber: sas,
          keyChanged: sync?.keyChanged.includes(c.handle) ?? false,
          identityChangedAt: c.identityChangedAt ?? null
        }
      })
    )
  }
})

/** `contact verify <handle>`: the safety number and both fingerprints. */
export const verifyContact = (handle: string) =>
  Effect.gen(function* () {
    const account = yield* requireAccount
    const contact = yield* requireContact(handle)
    return {
      handle: contact.handle,
      state: contact.state,
      safetyNumber: yield* safetyNumberWith(account, contact),
      yourFingerprint: toHex(yield* fingerprint(account.identity.publicKey)),
      theirFingerprint: toHex(yield* fingerprint(contact.ikPub)),
      /** When a signed rotation last changed their identity key (the safety number changed with it). */
      identityChangedAt: contact.identityChangedAt ?? null
    }
  })
