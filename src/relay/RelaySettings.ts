import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"

/** What the operator chose at start, as the routes need it. */
export class RelaySettings extends Context.Tag("session-bridge/RelaySettings")<
  RelaySettings,
  {
    /** The code registration requires; none means open registration. */
    readonly registrationCode: Option.Option<string>
    /** Logs a code this start generated, once, after the `listening` line (a no-op otherwise). */
    readonly notice: Effect.Effect<void>
  }
>() {}

/** The relay's fixed caps (CLOUD.md 2.4, 2.5, 3.3). */
export const Caps = {
  /** Decoded `ct` of one sealed envelope (CONTRACT.md's table says 96 KiB; CLOUD.md and the protocol say 512). */
  ctBytes: 512 * 1024,
  /** A JSON request body: a 512 KiB ct in base64url plus the envelope's fields. */
  jsonBodyBytes: 768 * 1024,
  /** A blob: 10 MiB of plaintext in 64 KiB chunks, each with a 16-byte tag. */
  blobBytes: 10 * 1024 * 1024 + 160 * 16,
  /** Longest envelope and blob lifetime. */
  ttlMs: 7 * 24 * 3_600_000,
  /** Longest invite lifetime. */
  inviteTtlMs: 24 * 3_600_000,
  /** Longest long-poll. */
  maxWaitSec: 25,
  /** Most envelopes one inbox answer carries. */
  inboxBatch: 100,
  /** One sealed presence blob, and how many one PUT may carry. */
  presenceBlobBytes: 8 * 1024,
  presenceViewers: 1_000
} as const
