import * as DateTime from "effect/DateTime"
import { envelopeFields } from "./EnvelopeShape.js"
import type { MessageEnvelope, Party } from "./Records.js"
import { formatIso } from "./UtcTime.js"

type PartyJson = typeof Party.Encoded
type EnvelopeJson = typeof MessageEnvelope.Encoded

const partyOf = (p: PartyJson): PartyJson => ({
  sessionId: p.sessionId,
  label: p.label,
  ...(p.provider !== undefined ? { provider: p.provider } : {}),
  ...(p.contact !== undefined ? { contact: p.contact } : {})
})

/** An envelope's fields besides its times, as both sides of the schema hold them. */
type Untimed = Omit<EnvelopeJson, "createdAt" | "expiresAt">

/** The fields of `e` in the schema's order, with the times given (DateTime decoded, ISO text encoded). */
const inOrder = <T>(e: Untimed, createdAt: T, expiresAt: T | undefined) => ({
  v: 1 as const,
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
  createdAt,
  ...(expiresAt !== undefined ? { expiresAt } : {}),
  origin: e.origin,
  ...(e.remoteFrom !== undefined ? { remoteFrom: e.remoteFrom } : {}),
  ...(e.remoteId !== undefined ? { remoteId: e.remoteId } : {})
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
  const expiresAt = checked.expiresAtMs === undefined ? undefined : DateTime.unsafeMake(checked.expiresAtMs)
  // The brands are the checks above, which the type cannot see.
  return inOrder(e, DateTime.unsafeMake(checked.createdAtMs), expiresAt) as unknown as MessageEnvelope
}

/**
 * An envelope's JSON written out by hand: what encoding `MessageEnvelope` gives, field for field and in the same
 * order (test/domain/PlainEnvelope.test.ts), about a tenth of its cost. Undefined unless the result passes the
 * same checks as `plainEnvelope`, so what it gives always decodes back to the envelope; the caller then encodes
 * with the schema, which refuses a value that is not an envelope.
 */
export const plainEnvelopeJson = (e: MessageEnvelope): EnvelopeJson | undefined => {
  const expiresAt = e.expiresAt === undefined ? undefined : formatIso(e.expiresAt)
  const json: EnvelopeJson = inOrder(e, formatIso(e.createdAt), expiresAt)
  return envelopeFields(json) === undefined ? undefined : json
}
