import type * as DateTime from "effect/DateTime"
import type { ChannelName } from "../domain/Names.js"
import { MessageEnvelope, type Party, type SessionRecord } from "../domain/Records.js"
import type { MessageId } from "../domain/Ulid.js"

/** Who a message is from, as its envelope names the sending session. */
export const party = (r: SessionRecord): Party => ({ sessionId: r.sessionId, label: r.label, provider: r.provider })

/** What a new message sent from this machine holds, beside the id and thread `publish` gives it. */
export interface OutgoingMessage {
  readonly from: SessionRecord
  readonly to: ReadonlyArray<Party>
  readonly channel?: ChannelName | undefined
  readonly subject: string
  readonly body: string
  /** The message replied to. */
  readonly parent?: MessageEnvelope | undefined
  readonly artifacts: MessageEnvelope["artifacts"]
  readonly createdAt: DateTime.Utc
}

/**
 * The envelope of a message sent from this machine (to local sessions, a channel or a contact), for
 * `Envelopes.publish`'s `build`. Not validated here: publish writes it through the envelope's Schema, which checks
 * it once.
 */
export const outgoingEnvelope = (message: OutgoingMessage, id: MessageId, threadId: MessageId): MessageEnvelope =>
  MessageEnvelope.make(
    {
      v: 1,
      id,
      kind: message.channel !== undefined ? "channel" : "direct",
      from: party(message.from),
      to: message.to,
      ...(message.channel !== undefined ? { channel: message.channel } : {}),
      subject: message.subject,
      body: message.body,
      threadId,
      ...(message.parent !== undefined ? { inReplyTo: message.parent.id } : {}),
      artifacts: message.artifacts,
      createdAt: message.createdAt,
      origin: "local"
    },
    true
  )
