import { CHANNEL_PATTERN, SHA256_PATTERN, ULID_PATTERN } from "./IdPatterns.js"
import type { InboxItem } from "./InboxBlock.js"
import { isoOfMillis } from "./IsoTime.js"

/**
 * The shape of a stored message envelope, checked in plain TypeScript (no Effect): the launcher's fast path
 * (src/platform/HookInbox.ts) reads envelopes before the hook bundle loads. The patterns (IdPatterns.ts) are the ones
 * the schemas use (MessageId and SessionId in Ulid.ts, Sha256 and ChannelName in Names.ts), so the two cannot drift.
 * The check is at least as strict as decoding `MessageEnvelope`: whatever it accepts, the schema accepts too
 * (test/hook/hookInboxFastPath.test.ts holds it to that over hostile envelopes); what it refuses, the fast path
 * leaves to the full hook, which decodes (or quarantines) it.
 */

/**
 * A UTC time as the bridge writes it (`formatIso`, src/domain/UtcTime.ts); the schema takes more forms, this check
 * only this one.
 * Each part is range-checked by `Date.parse` being finite and giving back the same text.
 */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** The provider ids a party may carry (ProviderId in Records.ts; test/hook/hookInboxFastPath.test.ts compares them). */
export const PROVIDER_IDS: ReadonlyArray<string> = [
  "claude-code",
  "codex",
  "grok",
  "opencode",
  "cline",
  "gemini-cli",
  "cursor",
  "cli",
  "unknown"
]

/** An envelope as the inbox block shows it, with the fields surfacing looks at besides. */
export interface CheckedEnvelope extends InboxItem {
  /** Epoch ms; a broadcast is live until then. */
  readonly expiresAtMs: number | undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isUlid = (u: unknown): u is string => typeof u === "string" && ULID_PATTERN.test(u)
const optional = (u: unknown, check: (u: unknown) => boolean) => u === undefined || check(u)

/** Epoch ms of an ISO UTC time as the bridge writes it; undefined for anything else. */
export const isoTimeMs = (u: unknown): number | undefined => {
  if (typeof u !== "string" || !ISO_UTC.test(u)) return undefined
  const ms = Date.parse(u)
  return Number.isFinite(ms) && isoOfMillis(ms) === u ? ms : undefined
}

const isParty = (u: unknown): boolean => {
  if (!isRecord(u)) return false
  return (
    isUlid(u["sessionId"]) &&
    typeof u["label"] === "string" &&
    optional(u["provider"], (p) => typeof p === "string" && PROVIDER_IDS.includes(p)) &&
    optional(u["contact"], (c) => typeof c === "string")
  )
}

/** An object that has every field of a stored envelope, checked; its times as epoch ms. */
export interface EnvelopeFields {
  readonly fields: Record<string, unknown>
  readonly createdAtMs: number
  readonly expiresAtMs: number | undefined
}

/** `u` when it is exactly a stored envelope (every field of MessageEnvelope checked), else undefined. */
export const envelopeFields = (u: unknown): EnvelopeFields | undefined => {
  if (!isRecord(u) || u["v"] !== 1) return undefined
  const { id, kind, from, to, channel, subject, body, threadId, inReplyTo, artifacts, origin, remoteFrom } = u
  if (!isUlid(id) || !isUlid(threadId) || !optional(inReplyTo, isUlid) || !optional(u["remoteId"], isUlid))
    return undefined
  if (kind !== "direct" && kind !== "channel" && kind !== "broadcast") return undefined
  if (origin !== "local" && origin !== "remote") return undefined
  if (!isParty(from) || !Array.isArray(to) || !to.every(isParty)) return undefined
  if (!optional(channel, (c) => typeof c === "string" && CHANNEL_PATTERN.test(c))) return undefined
  if (typeof subject !== "string" || typeof body !== "string") return undefined
  if (!Array.isArray(artifacts) || !artifacts.every((a) => typeof a === "string" && SHA256_PATTERN.test(a)))
    return undefined
  if (!optional(remoteFrom, (r) => typeof r === "string")) return undefined
  const createdAtMs = isoTimeMs(u["createdAt"])
  if (createdAtMs === undefined) return undefined
  const expiresAtMs = u["expiresAt"] === undefined ? undefined : isoTimeMs(u["expiresAt"])
  if (u["expiresAt"] !== undefined && expiresAtMs === undefined) return undefined
  return { fields: u, createdAtMs, expiresAtMs }
}

/** The envelope in `u` when it is exactly one (every field of MessageEnvelope checked), else undefined. */
export const checkEnvelope = (u: unknown): CheckedEnvelope | undefined => {
  const checked = envelopeFields(u)
  if (checked === undefined) return undefined
  const { id, kind, from, channel, subject, body, inReplyTo, artifacts, origin, remoteFrom } = checked.fields
  const party = from as Record<string, unknown>
  return {
    id: id as never,
    kind,
    from: {
      sessionId: party["sessionId"] as never,
      label: party["label"] as string,
      ...(party["provider"] !== undefined ? { provider: party["provider"] as never } : {})
    },
    ...(channel !== undefined ? { channel: channel as never } : {}),
    subject,
    body,
    origin,
    ...(remoteFrom !== undefined ? { remoteFrom: remoteFrom as string } : {}),
    artifacts: artifacts as never,
    ...(inReplyTo !== undefined ? { inReplyTo: inReplyTo as never } : {}),
    expiresAtMs: checked.expiresAtMs
  } as CheckedEnvelope
}
