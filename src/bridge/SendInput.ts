import type { MessageEnvelope, Party, SessionRecord } from "../domain/Records.js"
import type { Address, AddressMatch } from "./Addressing.js"

/** One recipient session, or every other member of a channel ("#name"). */
export type Recipient = Address | { readonly channel: string }

/** What a send is given: the sender, the recipient, the subject and body, posted artifacts, a thread to join. */
export interface SendInput {
  readonly from: SessionRecord
  readonly to: Recipient
  readonly subject: string
  readonly body?: string | undefined
  /** sha256 of artifacts already posted. */
  readonly artifacts?: ReadonlyArray<string> | undefined
  /** A message id the caller may see: the new message joins its thread. */
  readonly replyTo?: string | undefined
}

/** What a send did: the stored envelope and who received it. */
export interface SendResult {
  readonly envelope: MessageEnvelope
  readonly recipients: ReadonlyArray<Party>
  /** A direct message's recipient, as its record stands. */
  readonly reached?: SessionRecord | undefined
  /** Set when a label or cwd matched several sessions and the newest was chosen. */
  readonly ambiguous?: AddressMatch | undefined
}
