import { Effect, Layer } from "effect"
import type { AccountId, EncryptionKeyRecord, Envelope } from "../../src/protocol/WireSchemas.js"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import { ciphertextBytes } from "../../src/protocol/ArtifactCipher.js"
import {
  ContactRevoked,
  InviteInvalid,
  NotAContact,
  RateLimited,
  RecipientQuota,
  RelayAuth,
  type RelayError,
  RelayRefused,
  RelayUnreachable
} from "../../src/cloud/CloudErrors.js"
import { RelayClient, type RelayClientShape } from "../../src/cloud/RelayClient.js"
import type { ContactRotation, Delivered } from "../../src/cloud/RelayWire.js"

/**
 * An in-memory relay with the real semantics the client depends on: a per-recipient seq, `after` acks, a sender's
 * repeated id answered as a duplicate with its first seq, contacts enforced on send, blobs served to grantees only.
 * `fail` makes the next calls of one method fail (a network error, a 429, ...); the test drives everything else.
 */
export interface FakeRelay {
  readonly layer: Layer.Layer<RelayClient>
  readonly client: RelayClientShape
  readonly addAccount: (handle: string, token: string) => AccountId
  readonly setContact: (a: AccountId, b: AccountId, state: "pending" | "active" | "revoked") => void
  /** Stores a delivered envelope as the relay would, stamping `from` (what a hostile relay could also do). */
  readonly inject: (from: AccountId, envelope: Envelope) => number
  /** What the relay still spools for a recipient (rows above its acked seq). */
  readonly spooled: (to: AccountId) => ReadonlyArray<Delivered>
  readonly ackedSeq: (to: AccountId) => number
  readonly putBlob: (blobId: string, grants: ReadonlyArray<AccountId>, bytes: Uint8Array) => void
  /** The ids of every blob the relay holds, in the order they were first put. */
  readonly blobIds: () => ReadonlyArray<string>
  /** The identity key and encryption-key record `GET /v1/contacts` serves for an account. */
  readonly publishKeys: (account: AccountId, ikPub: Uint8Array, ek: EncryptionKeyRecord) => void
  readonly fail: (method: keyof RelayClientShape, error: RelayError, times?: number) => void
  /** What `GET /v1/sent/{id}` answers for a sender's message from now on (as the relay's sweeper would set it). */
  readonly setSentState: (from: AccountId, id: string, state: "expired" | "refused", reason?: string) => void
  /** The presence blob `owner` left for `viewer`, if any. */
  readonly presenceOf: (owner: AccountId, viewer: AccountId) => Uint8Array | undefined
  /** Leaves a presence blob as the relay would store it (what a hostile relay could also do). */
  readonly injectPresence: (owner: AccountId, viewer: AccountId, blob: Uint8Array) => void
  readonly contactState: (a: AccountId, b: AccountId) => "pending" | "active" | "revoked" | undefined
  /** Serves a continuity statement for an account without checking it (what a hostile relay could also do). */
  readonly injectRotation: (rotation: ContactRotation) => void
  readonly calls: Array<string>
}

export const makeFakeRelay = (): FakeRelay => {
  const accounts = new Map<string, { id: AccountId; handle: string }>()
  const spool = new Map<AccountId, Array<Delivered>>()
  const nextSeq = new Map<AccountId, number>()
  const acked = new Map<AccountId, number>()
  const sentIds = new Map<string, number>()
  const sentTo = new Map<string, AccountId>()
  const sentStates = new Map<string, { state: "expired" | "refused"; reason: string | null }>()
  const contacts = new Map<string, "pending" | "active" | "revoked">()
  const blobs = new Map<string, { grants: ReadonlyArray<AccountId>; bytes: Uint8Array }>()
  const keys = new Map<AccountId, { ikPub: Uint8Array; ek: EncryptionKeyRecord }>()
  const failures = new Map<string, Array<RelayError>>()
  const invites = new Map<
    string,
    {
      inviter: AccountId
      offer: Uint8Array
      exp: number
      redeemedBy?: AccountId
      reply?: Uint8Array
      closed: boolean
    }
  >()
  const presence = new Map<string, { blob: Uint8Array; updatedAt: number }>()
  const rotations: Array<ContactRotation> = []
  const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
  const handleOf = (id: AccountId) => [...accounts.values()].find((a) => a.id === id)?.handle
  const idOf = (handle: string) => [...accounts.values()].find((a) => a.handle === handle)?.id
  const calls: Array<string> = []
  let counter = 0

  const pair = (a: AccountId, b: AccountId) => (a < b ? `${a}|${b}` : `${b}|${a}`)
  const guard = <A>(method: keyof RelayClientShape, token: string | undefined, f: (me: AccountId) => A) =>
    Effect.suspend((): Effect.Effect<A, RelayError> => {
      calls.push(method)
      const queued = failures.get(method)
      const next = queued?.shift()
      if (next !== undefined) return Effect.fail(next)
      if (token === undefined) return Effect.sync(() => f("acct_0" as AccountId))
      const me = accounts.get(token)
      if (me === undefined) return Effect.fail(new RelayAuth({ detail: "RELAY_AUTH: unknown token" }))
      return Effect.try({ try: () => f(me.id), catch: (e) => e as RelayError })
    })
  const enqueue = (from: AccountId, envelope: Envelope): { seq: number; duplicate: boolean } => {
    const key = `${from}|${envelope.id}`
    const known = sentIds.get(key)
    if (known !== undefined) return { seq: known, duplicate: true }
    const seq = (nextSeq.get(envelope.to) ?? 0) + 1
    nextSeq.set(envelope.to, seq)
    sentIds.set(key, seq)
    sentTo.set(key, envelope.to)
    spool.set(envelope.to, [...(spool.get(envelope.to) ?? []), { ...envelope, seq, from }])
    return { seq, duplicate: false }
  }
  const ackUpTo = (me: AccountId, upTo: number) => {
    acked.set(me, Math.max(acked.get(me) ?? 0, upTo))
    spool.set(
      me,
      (spool.get(me) ?? []).filter((e) => e.seq > (acked.get(me) ?? 0))
    )
  }

  const client: RelayClientShape = {
    info: guard("info", undefined, () => ({ relayId: "relay-test", protocol: "sb1", registration: "open" })),
    register: (request) =>
      guard("register", undefined, () => {
        for (const a of accounts.values())
          if (a.handle === request.handle) throw new RelayRefused({ detail: "HANDLE_TAKEN" })
        const token = `tok${++counter}`.padEnd(24, "x")
        const id = addAccount(request.handle, token)
        keys.set(id, { ikPub: request.ikPub, ek: request.ek })
        return { accountId: id, token }
      }),
    logout: (token) => guard("logout", token, () => void accounts.delete(token)),
    rotateToken: (token, newToken) =>
      guard("rotateToken", token, () => {
        if (accounts.has(newToken)) throw new RelayRefused({ detail: "INVALID_ARGUMENT: that token is in use" })
        accounts.set(newToken, accounts.get(token)!)
        accounts.delete(token)
      }),
    rotateIdentity: (token, rotation, ek) =>
      guard("rotateIdentity", token, (me) => {
        const current = keys.get(me)
        const kept = rotations.some((r) => r.accountId === me && sameBytes(r.newIk, rotation.newIk))
        if (current !== undefined && sameBytes(current.ikPub, rotation.newIk) && kept) return
        if (current === undefined || !sameBytes(current.ikPub, rotation.oldIk) || ek.seq <= current.ek.seq)
          throw new RelayRefused({ detail: "ROTATION_INVALID: not from the account's identity key" })
        keys.set(me, { ikPub: rotation.newIk, ek })
        rotations.push({ ...rotation, accountId: me })
      }),
    identityRotations: (token) =>
      guard("identityRotations", token, (me) =>
        rotations.filter((r) => r.accountId !== me && contacts.has(pair(me, r.accountId)))
      ),
    contacts: (token) =>
      guard("contacts", token, (me) =>
        [...accounts.values()]
          .filter((a) => contacts.has(pair(me, a.id)) && a.id !== me)
          .map((a) => ({
            accountId: a.id,
            handle: a.handle,
            state: contacts.get(pair(me, a.id))!,
            ikPub: keys.get(a.id)?.ikPub ?? null,
            ek: keys.get(a.id)?.ek ?? null
          }))
      ),
    send: (token, envelope) =>
      guard("send", token, (me) => {
        const state = contacts.get(pair(me, envelope.to))
        const key = `${me}|${envelope.id}`
        if (sentIds.has(key)) return { seq: sentIds.get(key)!, duplicate: true }
        if (state === "revoked") throw new ContactRevoked({ detail: "CONTACT_REVOKED" })
        if (state !== "active") throw new NotAContact({ detail: "NOT_A_CONTACT" })
        const stored = enqueue(me, envelope)
        return stored.duplicate ? stored : { seq: stored.seq }
      }),
    inbox: (token, after) =>
      guard("inbox", token, (me) => {
        ackUpTo(me, after)
        const messages = (spool.get(me) ?? []).filter((e) => e.seq > after).slice(0, 100)
        return { messages, cursor: messages[messages.length - 1]?.seq ?? after }
      }),
    ack: (token, upTo) => guard("ack", token, (me) => ackUpTo(me, upTo)),
    sentStatus: (token, id) =>
      guard("sentStatus", token, (me) => {
        const key = `${me}|${id}`
        const seq = sentIds.get(key)
        const to = sentTo.get(key)
        if (seq === undefined || to === undefined) throw new RelayRefused({ detail: "NOT_FOUND" })
        const set = sentStates.get(key)
        const state = set?.state ?? ((acked.get(to) ?? 0) >= seq ? "delivered" : "stored")
        return { id, to, seq, state, reason: set?.reason ?? null, updatedAt: 0 }
      }),
    putBlob: (token, blobId, grants, ciphertext) =>
      guard("putBlob", token, () => void blobs.set(blobId, { grants, bytes: ciphertextBytes(ciphertext) })),
    getBlob: (token, blobId) =>
      guard("getBlob", token, (me) => {
        const blob = blobs.get(blobId)
        if (blob === undefined || !blob.grants.includes(me)) throw new RelayRefused({ detail: "NOT_FOUND" })
        // A copy, as a download is: the daemon decrypts what it fetched in place.
        return Uint8Array.from(blob.bytes)
      }),
    publishEk: (token, ek) =>
      guard("publishEk", token, (me) => {
        const current = keys.get(me)
        if (current === undefined || ek.seq <= current.ek.seq)
          throw new RelayRefused({ detail: "EK_SEQ_STALE: the relay holds this seq or a newer one" })
        keys.set(me, { ikPub: current.ikPub, ek })
      }),
    createInvite: (token, invite) =>
      guard("createInvite", token, (me) => {
        invites.set(toBase64Url(invite.id), { inviter: me, offer: invite.offer, exp: invite.exp, closed: false })
      }),
    lookupInvite: (token, id) =>
      guard("lookupInvite", token, () => {
        const invite = invites.get(toBase64Url(id))
        if (invite === undefined || invite.closed || invite.redeemedBy !== undefined)
          throw new InviteInvalid({ detail: "INVITE_INVALID" })
        return {
          inviterHandle: handleOf(invite.inviter)! as never,
          inviterAccountId: invite.inviter,
          offer: invite.offer,
          exp: invite.exp
        }
      }),
    redeemInvite: (token, id, reply) =>
      guard("redeemInvite", token, (me) => {
        const invite = invites.get(toBase64Url(id))
        if (invite === undefined || invite.closed || invite.redeemedBy !== undefined || invite.inviter === me)
          throw new InviteInvalid({ detail: "INVITE_INVALID" })
        invite.redeemedBy = me
        invite.reply = reply
        contacts.set(pair(me, invite.inviter), "pending")
        return { inviterHandle: handleOf(invite.inviter)! as never, inviterAccountId: invite.inviter }
      }),
    redeemedInvites: (token) =>
      guard("redeemedInvites", token, (me) =>
        [...invites.entries()]
          .filter(([, i]) => i.inviter === me && i.redeemedBy !== undefined && !i.closed)
          .map(([id, i]) => ({
            id: Uint8Array.from(Buffer.from(id, "base64url")),
            redeemerHandle: handleOf(i.redeemedBy!)! as never,
            redeemerAccountId: i.redeemedBy!,
            reply: i.reply!,
            redeemedAt: 0
          }))
      ),
    revokeInvite: (token, id) =>
      guard("revokeInvite", token, (me) => {
        const invite = invites.get(toBase64Url(id))
        if (invite === undefined || invite.inviter !== me || invite.closed)
          throw new InviteInvalid({ detail: "INVITE_INVALID" })
        invite.closed = true
      }),
    acceptContact: (token, handle) =>
      guard("acceptContact", token, (me) => {
        const other = idOf(handle)
        const invite = [...invites.values()].find((i) => i.inviter === me && i.redeemedBy === other && !i.closed)
        if (other === undefined || invite === undefined) throw new NotAContact({ detail: "NOT_A_CONTACT" })
        invite.closed = true
        contacts.set(pair(me, other), "active")
      }),
    revokeContact: (token, handle) =>
      guard("revokeContact", token, (me) => {
        const other = idOf(handle)
        if (other === undefined || !contacts.has(pair(me, other))) throw new NotAContact({ detail: "NOT_A_CONTACT" })
        contacts.set(pair(me, other), "revoked")
        for (const [to, from] of [
          [me, other],
          [other, me]
        ] as const)
          spool.set(
            to,
            (spool.get(to) ?? []).filter((e) => e.from !== from)
          )
        presence.delete(`${me}>${other}`)
        presence.delete(`${other}>${me}`)
      }),
    putPresence: (token, blobs) =>
      guard("putPresence", token, (me) => {
        for (const [viewer] of blobs)
          if (contacts.get(pair(me, viewer)) !== "active") throw new NotAContact({ detail: "NOT_A_CONTACT" })
        for (const [viewer, blob] of blobs) presence.set(`${me}>${viewer}`, { blob, updatedAt: counter++ })
      }),
    presence: (token) =>
      guard("presence", token, (me) =>
        [...presence.entries()]
          .filter(([key]) => key.endsWith(`>${me}`))
          .map(([key, p]) => ({ from: key.split(">")[0] as AccountId, blob: p.blob, updatedAt: p.updatedAt }))
      )
  }

  function addAccount(handle: string, token: string): AccountId {
    const id = `acct_${accounts.size + 1}` as AccountId
    accounts.set(token, { id, handle })
    return id
  }

  return {
    client,
    layer: Layer.succeed(RelayClient, client),
    addAccount,
    setContact: (a, b, state) => void contacts.set(pair(a, b), state),
    inject: (from, envelope) => enqueue(from, envelope).seq,
    spooled: (to) => spool.get(to) ?? [],
    ackedSeq: (to) => acked.get(to) ?? 0,
    putBlob: (blobId, grants, bytes) => void blobs.set(blobId, { grants, bytes }),
    blobIds: () => [...blobs.keys()],
    publishKeys: (account, ikPub, ek) => void keys.set(account, { ikPub, ek }),
    fail: (method, error, times = 1) =>
      void failures.set(method, [...(failures.get(method) ?? []), ...Array.from({ length: times }, () => error)]),
    setSentState: (from, id, state, reason) => void sentStates.set(`${from}|${id}`, { state, reason: reason ?? null }),
    calls,
    presenceOf: (owner, viewer) => presence.get(`${owner}>${viewer}`)?.blob,
    injectPresence: (owner, viewer, blob) => void presence.set(`${owner}>${viewer}`, { blob, updatedAt: 0 }),
    contactState: (a, b) => contacts.get(pair(a, b)),
    injectRotation: (rotation) => void rotations.push(rotation)
  }
}

/** Errors tests hand to `fail`. */
export const networkDown = () => new RelayUnreachable({ detail: "connect ECONNREFUSED 127.0.0.1:1" })
export const rateLimited = (ms = 2000) => new RateLimited({ detail: "RATE_LIMITED", retryAfterMs: ms })
export const quotaFull = () => new RecipientQuota({ detail: "RECIPIENT_QUOTA" })
