// Plain values, no Effect: the schemas (Ulid.ts, Names.ts) and the launcher's envelope check (EnvelopeShape.ts) test
// text against these same patterns, so the two cannot drift.

/** A ULID in Crockford base32 (MessageId, SessionId). */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/
/** An artifact's sha256 (Sha256). */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/
/** A channel name without its '#' (ChannelName). */
export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/
