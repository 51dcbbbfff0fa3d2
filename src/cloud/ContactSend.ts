import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { BodyTooLarge } from "../domain/Errors.js"
import type { MessageId } from "../domain/Ulid.js"
import { utf8 } from "../protocol/Bytes.js"
import { MAX_BODY_BYTES } from "../protocol/Padding.js"
import { Ids } from "../services/Ids.js"
import { requireAccount } from "./Account.js"
import { ContactRevoked, NotAContact } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import type { OutboxArtifact } from "./CloudState.js"
import { requireContact, syncContacts } from "./Contacts.js"
import { queueMessage } from "./Outbox.js"
import { RelayClient } from "./RelayClient.js"

export interface ContactSendInput {
  readonly handle: string
  readonly subject: string
  readonly body: string
  /** The contact's session label; without one, its most recently active live session. */
  readonly label?: string | undefined
  /** Already in this home's artifact store; the daemon encrypts and uploads them before the message. */
  readonly artifacts?: ReadonlyArray<OutboxArtifact> | undefined
}

/**
 * `contact send`: checks the contact and the body here (a refusal the sender can act on at once), then queues the
 * message in the outbox; the daemon seals and sends it. A contact still pending locally is looked up at the relay
 * first, since the inviter may have accepted since `contact add`.
 */
export const sendToContact = (input: ContactSendInput) =>
  Effect.gen(function* () {
    yield* requireAccount
    const bytes = utf8(input.body).length
    if (bytes > MAX_BODY_BYTES) return yield* new BodyTooLarge({ source: "body", size: bytes, limit: MAX_BODY_BYTES })
    let contact = yield* requireContact(input.handle)
    if (contact.state === "pending") {
      const account = yield* requireAccount
      const listed = yield* Effect.option((yield* RelayClient).contacts(account.credentials.token))
      if (Option.isSome(listed)) {
        yield* syncContacts(listed.value)
        contact = yield* requireContact(input.handle)
      }
    }
    if (contact.state === "revoked")
      return yield* new ContactRevoked({ detail: `${contact.handle} was revoked; nothing more is sent to it` })
    if (contact.state !== "active")
      return yield* new NotAContact({ detail: `${contact.handle} has not accepted yet (the contact is pending)` })
    const id = (yield* (yield* Ids).next) as MessageId
    yield* queueMessage({
      id,
      contact: contact.handle,
      to: input.label !== undefined ? { label: input.label } : { any: true },
      subject: input.subject,
      body: input.body,
      ...(input.artifacts !== undefined && input.artifacts.length > 0 ? { artifacts: input.artifacts } : {})
    })
    const pinned = (yield* (yield* CloudHome).contacts).find((c) => c.handle === contact.handle)
    return { messageId: id, contact: contact.handle, state: "queued" as const, contactState: pinned?.state ?? "active" }
  })
