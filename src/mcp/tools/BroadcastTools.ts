import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Broadcasts } from "../../bridge/Broadcasts.js"
import { UtcTime } from "../../domain/UtcTime.js"
import { tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

export const broadcast = tool({
  name: "bridge_broadcast",
  title: "Broadcast",
  description:
    "Announce to every session on this machine until it expires. ttlSec 1-604800, default 3600. Body max 64 KiB.",
  input: Schema.Struct({
    subject: Schema.String,
    body: Schema.optional(Schema.String),
    ttlSec: Schema.optional(Schema.Number)
  }),
  output: Schema.Struct({ messageId: Schema.String, expiresAt: UtcTime }),
  // Each call posts one more broadcast; it reaches only sessions on this machine.
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: ({ subject, body, ttlSec }) =>
    Effect.gen(function* () {
      const from = yield* caller
      const envelope = yield* (yield* Broadcasts).post({ from, subject, body, ttlSec })
      // Broadcasts.post always sets the expiry.
      const expiresAt = yield* Effect.orDie(Effect.fromNullable(envelope.expiresAt))
      return { messageId: envelope.id, expiresAt }
    })
})
