import * as Effect from "effect/Effect"
import { type RelayError, RelayUnreachable } from "./CloudErrors.js"
import { RelayClient, type RelayClientShape } from "./RelayClient.js"

/*
 * The daemon's relay client: every call bounded in time, so a relay that accepts a connection and never answers
 * counts as unreachable (and is retried with backoff) instead of wedging a fiber. A long-poll gets its wait plus a
 * margin.
 */

const CALL_MS = 30_000
const BLOB_MS = 120_000
const MARGIN_MS = 15_000

const bounded =
  (ms: number) =>
  <A>(effect: Effect.Effect<A, RelayError>): Effect.Effect<A, RelayError> =>
    Effect.timeoutFail(effect, {
      duration: ms,
      onTimeout: () => new RelayUnreachable({ detail: `no answer from the relay within ${ms / 1000} s` })
    })

export const withTimeouts = (client: RelayClientShape): RelayClientShape => {
  const call = bounded(CALL_MS)
  const blob = bounded(BLOB_MS)
  return RelayClient.of({
    info: call(client.info),
    register: (r) => call(client.register(r)),
    logout: (t) => call(client.logout(t)),
    rotateToken: (t, next) => call(client.rotateToken(t, next)),
    rotateIdentity: (t, rotation, ek) => call(client.rotateIdentity(t, rotation, ek)),
    identityRotations: (t) => call(client.identityRotations(t)),
    contacts: (t) => call(client.contacts(t)),
    send: (t, e) => call(client.send(t, e)),
    inbox: (t, after, wait) => bounded(wait * 1000 + MARGIN_MS)(client.inbox(t, after, wait)),
    ack: (t, upTo) => call(client.ack(t, upTo)),
    putBlob: (t, id, grants, bytes) => blob(client.putBlob(t, id, grants, bytes)),
    getBlob: (t, id) => blob(client.getBlob(t, id)),
    publishEk: (t, ek) => call(client.publishEk(t, ek)),
    createInvite: (t, i) => call(client.createInvite(t, i)),
    lookupInvite: (t, id) => call(client.lookupInvite(t, id)),
    redeemInvite: (t, id, reply) => call(client.redeemInvite(t, id, reply)),
    redeemedInvites: (t) => call(client.redeemedInvites(t)),
    revokeInvite: (t, id) => call(client.revokeInvite(t, id)),
    acceptContact: (t, h) => call(client.acceptContact(t, h)),
    revokeContact: (t, h) => call(client.revokeContact(t, h)),
    putPresence: (t, b) => call(client.putPresence(t, b)),
    presence: (t) => call(client.presence(t)),
    sentStatus: (t, id) => call(client.sentStatus(t, id))
  })
}
