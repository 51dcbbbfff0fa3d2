import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { BridgeFailure } from "../domain/Errors.js"
import type { MessageKind } from "../domain/Records.js"
import type { ArtifactView, BroadcastView, ChannelView, MessageView, SessionView } from "./Views.js"

export interface MessageFilter {
  readonly session?: string | undefined
  readonly channel?: string | undefined
  readonly kind?: MessageKind | undefined
  readonly limit: number
}

export interface ArtifactContent {
  readonly view: ArtifactView
  readonly bytes: Uint8Array
}

/** Everything the dashboard shows, read-only, as the page's JSON shapes. */
export interface DashboardShape {
  readonly sessions: Effect.Effect<ReadonlyArray<SessionView>, BridgeFailure>
  /** Newest first. */
  readonly messages: (filter: MessageFilter) => Effect.Effect<ReadonlyArray<MessageView>, BridgeFailure>
  /** Oldest first; THREAD_NOT_FOUND when no message carries this thread id. */
  readonly thread: (threadId: string) => Effect.Effect<ReadonlyArray<MessageView>, BridgeFailure>
  readonly broadcasts: Effect.Effect<ReadonlyArray<BroadcastView>, BridgeFailure>
  readonly channels: Effect.Effect<ReadonlyArray<ChannelView>, BridgeFailure>
  readonly artifacts: Effect.Effect<ReadonlyArray<ArtifactView>, BridgeFailure>
  readonly artifact: (sha256: string) => Effect.Effect<ArtifactContent, BridgeFailure>
  /** Newest first. */
  readonly search: (query: string, limit: number) => Effect.Effect<ReadonlyArray<MessageView>, BridgeFailure>
}

export class Dashboard extends Context.Tag("session-bridge/Dashboard")<Dashboard, DashboardShape>() {}
