import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { BridgeFailure, RemoteRateLimited } from "../domain/Errors.js"
import type { MessageId, SessionId } from "../domain/Ulid.js"
import type { StoreFile } from "../services/store/Store.js"

/*
 * The bridge's door to the cloud layer's local state (CLOUD.md 2.7-2.9): the contacts, the outbound queue, the
 * delivery states of what was sent and the contacts' presence. Plain files under <home>/cloud/; the live layer
 * (src/cloud/RemoteSendsLayer.ts) loads the sealing code only when a message is queued, and the hook never loads
 * any of it.
 */

/** Where a contact stands on this machine: no account yet, unknown, invited but not accepted, active, revoked. */
export type ContactStanding = "not_configured" | "unknown" | "pending" | "active" | "revoked"

/** The delivery states of a message sent (CONTRACT.md "Delivery state"). */
export type DeliveryState = "queued" | "stored" | "delivered" | "surfaced" | "read" | "expired" | "refused"

export interface Delivery {
  readonly state: DeliveryState
  /** Unix ms of the last change. */
  readonly at: number
  /** For `refused`: revoked, not_a_contact, too_large, key_changed. */
  readonly reason?: string | undefined
}

/** One artifact of a remote send, as the outbox keeps it until the pump encrypts and uploads it. */
export interface QueuedArtifact {
  readonly sha256: string
  readonly size: number
  readonly name?: string | undefined
  readonly mimeType: string
}

/** A message for a contact, ready to queue (every check has passed). */
export interface RemoteQueueInput {
  readonly id: MessageId
  readonly contact: string
  /** The contact's session label; none ⇒ its most recently active live session. */
  readonly label?: string | undefined
  readonly fromSession: { readonly label: string; readonly cli: string }
  readonly subject: string
  readonly body: string
  readonly threadId?: string | undefined
  /** The id the contact knows the message replied to by (its own id, or the one it sent it under). */
  readonly replyTo?: string | undefined
  readonly artifacts: ReadonlyArray<QueuedArtifact>
}

/** A contact's live session from the presence cache. */
export interface RemoteSessionInfo {
  readonly contact: string
  readonly label: string
  readonly cli?: string | undefined
  readonly cwd?: string | undefined
  readonly since: number
  readonly lastSeen: number
}

export interface RemoteSendsShape {
  readonly standing: (handle: string) => Effect.Effect<ContactStanding, BridgeFailure>
  /** RATE_LIMITED when the session sent 30 remote messages in the last minute, or `replyTo` (an inbound remote
   * message) already had 2 replies in the last 10 s; lifted by SESSION_BRIDGE_REMOTE_RATE=off. Counts the send. */
  readonly admit: (sessionId: SessionId, replyTo: Option.Option<string>) => Effect.Effect<void, RemoteRateLimited>
  /**
   * The outbox entry that queues the message for the daemon (`cloud/outbox/<id>.json`, state queued), as a file to
   * create: the send creates it with the sender's copy, after it (RemoteSend.ts).
   */
  readonly outboxFile: (input: RemoteQueueInput) => Effect.Effect<StoreFile, BridgeFailure>
  /** The delivery state of a message sent to a contact, from the outbox or `cloud/sent/`. */
  readonly delivery: (id: string) => Effect.Effect<Option.Option<Delivery>, BridgeFailure>
  /** Contacts' live sessions, fresh presence only. */
  readonly sessions: Effect.Effect<ReadonlyArray<RemoteSessionInfo>, BridgeFailure>
}

export class RemoteSends extends Context.Tag("session-bridge/RemoteSends")<RemoteSends, RemoteSendsShape>() {}
