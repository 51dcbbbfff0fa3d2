import fc from "fast-check"
import { PROVIDER_IDS } from "../../src/domain/EnvelopeShape.js"
import { CHANNEL_PATTERN, SHA256_PATTERN, ULID_PATTERN } from "../../src/domain/IdPatterns.js"
import { isoOfMillis } from "../../src/domain/IsoTime.js"

const ulid = fc.stringMatching(ULID_PATTERN)
/** Times as the bridge writes them, mostly; now and then another form the schema takes, or one it refuses. */
const time = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1e12, max: 253_402_300_799_999 }).map(isoOfMillis) },
  { weight: 1, arbitrary: fc.constantFrom("2026-01-02T03:04:05Z", "2026-01-02", "2026-02-30T00:00:00.000Z", "x") }
)
const party = fc.record(
  {
    sessionId: ulid,
    label: fc.string(),
    provider: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...PROVIDER_IDS) }, fc.string()),
    contact: fc.string()
  },
  { requiredKeys: ["sessionId", "label"] }
)
/** Envelopes as JSON text gives them back, the schema's fields with the values it allows, and some it does not. */
export const storedJson = fc.record(
  {
    v: fc.constant(1),
    id: ulid,
    kind: fc.constantFrom("direct", "channel", "broadcast"),
    from: party,
    to: fc.array(party, { maxLength: 3 }),
    channel: fc.stringMatching(CHANNEL_PATTERN),
    subject: fc.string(),
    body: fc.oneof(fc.string(), fc.string({ minLength: 195, maxLength: 210, unit: "binary" })),
    threadId: ulid,
    inReplyTo: ulid,
    artifacts: fc.array(fc.stringMatching(SHA256_PATTERN), { maxLength: 2 }),
    createdAt: time,
    expiresAt: time,
    origin: fc.constantFrom("local", "remote"),
    remoteFrom: fc.string(),
    remoteId: ulid
  },
  { requiredKeys: ["v", "id", "kind", "from", "to", "subject", "body", "threadId", "artifacts", "createdAt", "origin"] }
)
