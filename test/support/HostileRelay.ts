import { Effect, Layer } from "effect"
import type { AccountId, Envelope } from "../../src/protocol/WireSchemas.js"
import type { RelayError } from "../../src/cloud/CloudErrors.js"
import { RelayClient, type RelayClientShape } from "../../src/cloud/RelayClient.js"
import type {
  Delivered,
  InboxResponse,
  InviteLookup,
  PresenceBlob,
  RedeemedInvite,
  RelayContact
} from "../../src/cloud/RelayWire.js"

/*
 * A relay that misbehaves (docs/cloud.md "What is proven"): it wraps a real RelayClient (the in-memory one of
 * test/support/FakeRelay.ts) and does everything a relay operator could do without any account's keys. It serves
 * each account's inbox in a seq space of its own, so that it can add envelopes anywhere in the stream: replays of
 * what it already delivered, ciphertexts addressed to someone else, forgeries. It can reorder what it serves,
 * relabel `from`, and rewrite what it answers about invites, contacts (their keys) and presence.
 * Everything it is asked to send is kept (`sent`), so a test can replay or move a genuine ciphertext.
 */

export interface Tamper {
  /** Rewrites each served envelope (relabel `from`, ...). */
  readonly delivered?: (env: Delivered) => Delivered
  /** Serves each batch of new envelopes in reverse order of arrival (later ones get the lower seq). */
  readonly reorder?: boolean
  readonly lookupInvite?: (found: InviteLookup) => InviteLookup
  readonly redeemedInvites?: (invites: ReadonlyArray<RedeemedInvite>) => ReadonlyArray<RedeemedInvite>
  readonly contacts?: (rows: ReadonlyArray<RelayContact>) => ReadonlyArray<RelayContact>
  readonly presence?: (blobs: ReadonlyArray<PresenceBlob>) => ReadonlyArray<PresenceBlob>
}

export interface HostileRelay {
  readonly layer: Layer.Layer<RelayClient>
  readonly client: RelayClientShape
  /** Switches attacks on (merged into what is on); `honest()` switches them all off. */
  readonly tamper: (t: Tamper) => void
  readonly honest: () => void
  /** Every envelope an account asked the relay to send, with that account's token. */
  readonly sent: ReadonlyArray<{ readonly token: string; readonly envelope: Envelope }>
  /** Every envelope served to an account (by its token), as served. */
  readonly served: (token: string) => ReadonlyArray<Delivered>
  /** Adds envelopes to the next inbox answer for `token`, after everything else, with fresh seqs. */
  readonly serve: (token: string, envelopes: ReadonlyArray<Omit<Delivered, "seq">>) => void
  /** Serves again, with fresh seqs, everything already served to `token` (it was acked: a pure replay). */
  readonly replayAll: (token: string) => void
}

interface Entry {
  readonly v: number
  readonly real: number | undefined
  readonly env: Omit<Delivered, "seq">
}

export const makeHostileRelay = (inner: RelayClientShape): HostileRelay => {
  let tamper: Tamper = {}
  const sent: Array<{ token: string; envelope: Envelope }> = []
  const logs = new Map<string, Array<Entry>>()
  const pending = new Map<string, Array<Omit<Delivered, "seq">>>()
  const servedTo = new Map<string, Array<Delivered>>()
  const log = (token: string) => logs.get(token) ?? logs.set(token, []).get(token)!
  const nextV = (token: string) => (log(token).at(-1)?.v ?? 0) + 1
  /** The underlying seq everything up to the virtual `v` covers (what the inner relay may be acked to). */
  const realUpTo = (token: string, v: number) =>
    log(token).reduce((acc, e) => (e.v <= v && e.real !== undefined ? Math.max(acc, e.real) : acc), 0)

  const inbox = (token: string, after: number, waitSeconds: number): Effect.Effect<InboxResponse, RelayError> =>
    Effect.map(inner.inbox(token, realUpTo(token, after), waitSeconds), (response) => {
      const entries = log(token)
      const fresh = response.messages.filter((m) => !entries.some((e) => e.real === m.seq))
      for (const m of tamper.reorder === true ? [...fresh].reverse() : fresh) {
        const { seq, ...env } = m
        entries.push({ v: nextV(token), real: seq, env })
      }
      for (const env of pending.get(token) ?? []) entries.push({ v: nextV(token), real: undefined, env })
      pending.delete(token)
      const messages = entries
        .filter((e) => e.v > after)
        .map((e) => ({ ...e.env, seq: e.v }) as Delivered)
        .map((d) => (tamper.delivered === undefined ? d : tamper.delivered(d)))
      servedTo.set(token, [...(servedTo.get(token) ?? []), ...messages])
      return { messages, cursor: messages.at(-1)?.seq ?? after }
    })

  const client: RelayClientShape = {
    ...inner,
    send: (token, envelope) => {
      sent.push({ token, envelope })
      return inner.send(token, envelope)
    },
    inbox,
    ack: (token, upTo) => inner.ack(token, realUpTo(token, upTo)),
    lookupInvite: (token, id) => Effect.map(inner.lookupInvite(token, id), (f) => tamper.lookupInvite?.(f) ?? f),
    redeemedInvites: (token) => Effect.map(inner.redeemedInvites(token), (r) => tamper.redeemedInvites?.(r) ?? r),
    contacts: (token) => Effect.map(inner.contacts(token), (r) => tamper.contacts?.(r) ?? r),
    presence: (token) => Effect.map(inner.presence(token), (b) => tamper.presence?.(b) ?? b)
  }

  return {
    client,
    layer: Layer.succeed(RelayClient, client),
    tamper: (t) => void (tamper = { ...tamper, ...t }),
    honest: () => void (tamper = {}),
    sent,
    served: (token) => servedTo.get(token) ?? [],
    serve: (token, envelopes) => void pending.set(token, [...(pending.get(token) ?? []), ...envelopes]),
    replayAll: (token) => void pending.set(token, [...(pending.get(token) ?? []), ...log(token).map((e) => e.env)])
  }
}

/** A delivered envelope's wire fields plus the `from` the relay stamps (what `serve` takes). */
export const stamped = (envelope: Envelope, from: AccountId): Omit<Delivered, "seq"> => ({ ...envelope, from })
