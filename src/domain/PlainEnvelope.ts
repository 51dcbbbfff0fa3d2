import * as DateTime from "effect/DateTime"
import { envelopeFields } from "./EnvelopeShape.js"
import { isoOfMillis } from "./IsoTime.js"
import type { MessageEnvelope, Party } from "./Records.js"

type PartyJson = typeof Party.Encoded
type EnvelopeJson = typeof MessageEnvelope.Encoded

const partyOf = (p: PartyJson): PartyJson => ({
  sessionId: p.sessionId,
  label: p.label,
  ...(p.provider !== undefined ? { provider: p.provider } : {}),
  ...(p.contact !== undefined ? { contact: p.contact } : {})
})

/**
 * A stored envelope decoded in plain TypeScript: what decoding `MessageEnvelope` gives, at about a sixth of its
 * cost, for an envelope as the bridge writes it (EnvelopeShape.ts checks every field, and takes times only as
 * `formatIso` writes them). Undefined for anything else, which the caller decodes with the schema as before: the
 * schema stays the judge of what an envelope is (test/domain/PlainEnvelope.test.ts holds this decoder to it).
 */
export const plainEnvelope = (u: unknown): MessageEnvelope | undefined => {
  const checked = envelopeFields(u)
  if (checked === undefined) return undefined
  // Every field has been checked: the object is an envelope's JSON.
  const e = checked.fields as unknown as EnvelopeJson
  const decoded = {
    v: 1,
    id: e.id,
    kind: e.kind,
    from: partyOf(e.from),
    to: e.to.map(partyOf),
    ...(e.channel !== undefined ? { channel: e.channel } : {}),
    subject: e.subject,
    body: e.body,
    threadId: e.threadId,
    ...(e.inReplyTo !== undefined ? { inReplyTo: e.inReplyTo } : {}),
    artifacts: [...e.artifacts],
    createdAt: DateTime.unsafeMake(checked.createdAtMs),
    ...(checked.expiresAtMs !== undefined ? { expiresAt: DateTime.unsafeMake(checked.expiresAtMs) } : {}),
    origin: e.origin,
    ...(e.remoteFrom !== undefined ? { remoteFrom: e.remoteFrom } : {}),
    ...(e.remoteId !== undefined ? { remoteId: e.remoteId } : {})
  }
  // The brands are the checks above, which the type cannot see.
  return decoded as unknown as MessageEnvelope
}

/**
 * An envelope's JSON written out by hand: what encoding `MessageEnvelope` gives, field for field and in the same
 * order (test/domain/PlainEnvelope.test.ts), about a tenth of its cost. Undefined unless the result passes the
 * same checks as `plainEnvelope`, so what it gives always decodes back to the envelope; the caller then encodes
 * with the schema, which refuses a value that is not an envelope.
 */
export const plainEnvelopeJson = (e: MessageEnvelope): EnvelopeJson | undefined => {
  const json: EnvelopeJson = {
    v: 1,
    id: e.id,
    kind: e.kind,
    from: partyOf(e.from),
    to: e.to.map(partyOf),
    ...(e.channel !== undefined ? { channel: e.channel } : {}),
    subject: e.subject,
    body: e.body,
    threadId: e.threadId,
    ...(e.inReplyTo !== undefined ? { inReplyTo: e.inReplyTo } : {}),
    artifacts: [...e.artifacts],
    createdAt: isoOfMillis(e.createdAt.epochMillis),
    ...(e.expiresAt !== undefined ? { expiresAt: isoOfMillis(e.expiresAt.epochMillis) } : {}),
    origin: e.origin,
    ...(e.remoteFrom !== undefined ? { remoteFrom: e.remoteFrom } : {}),
    ...(e.remoteId !== undefined ? { remoteId: e.remoteId } : {})
  }
  return envelopeFields(json) === undefined ? undefined : json
}
