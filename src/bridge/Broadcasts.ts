import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import {
  type BodyTooLarge,
  type Internal,
  InvalidArgument,
  type InvalidName,
  type StoreError
} from "../domain/Errors.js"
import { mayBeLiveBroadcast } from "../domain/BroadcastAge.js"
import { Layout } from "../domain/Layout.js"
import { MessageEnvelope, type SessionRecord } from "../domain/Records.js"
import { checkBody, checkSubject } from "./Checks.js"
import { Envelopes, type StoredEnvelope, storedEnvelope } from "./Envelopes.js"
import { BROADCAST_TTL_DEFAULT_SEC, BROADCAST_TTL_MAX_SEC, BROADCAST_TTL_MIN_SEC } from "./Limits.js"

export interface PostBroadcastInput {
  readonly from: SessionRecord
  readonly subject: string
  readonly body?: string | undefined
  /** 1 s - 7 days, default 3600. */
  readonly ttlSec?: number | undefined
}

/** Announcements every session sees until they expire; one file each, read state per session (read markers). */
export interface BroadcastsShape {
  readonly post: (
    input: PostBroadcastInput
  ) => Effect.Effect<MessageEnvelope, InvalidArgument | InvalidName | BodyTooLarge | StoreError | Internal>
  /**
   * Unexpired broadcasts, oldest first. Only the files whose names are recent enough to be live are read
   * (`mayBeLiveBroadcast`): expired ones stay on disk until `gc`, and a fresh process does not decode them all.
   */
  readonly live: Effect.Effect<ReadonlyArray<StoredEnvelope>, StoreError>
  /** A live broadcast by id; none when unknown or expired. */
  readonly get: (id: string) => Effect.Effect<Option.Option<MessageEnvelope>, StoreError>
}

export class Broadcasts extends Context.Tag("session-bridge/Broadcasts")<Broadcasts, BroadcastsShape>() {}

const isLive = (now: DateTime.Utc) => (s: StoredEnvelope) =>
  s.envelope.expiresAt !== undefined && DateTime.greaterThan(s.envelope.expiresAt, now)

export const make = Effect.gen(function* () {
  const envelopes = yield* Envelopes

  const post = (input: PostBroadcastInput) =>
    Effect.gen(function* () {
      const ttl = input.ttlSec ?? BROADCAST_TTL_DEFAULT_SEC
      if (!Number.isInteger(ttl) || ttl < BROADCAST_TTL_MIN_SEC || ttl > BROADCAST_TTL_MAX_SEC) {
        return yield* new InvalidArgument({
          message: `ttlSec must be a whole number from ${BROADCAST_TTL_MIN_SEC} to ${BROADCAST_TTL_MAX_SEC} (7 days), got ${ttl}`,
          hint: "Omit ttlSec for one hour."
        })
      }
      const subject = yield* checkSubject(input.subject)
      const body = yield* checkBody(input.body ?? "")
      const now = yield* DateTime.now
      const envelope = yield* envelopes.publish({
        canonical: Layout.broadcast,
        build: (id, threadId) =>
          MessageEnvelope.make({
            v: 1,
            id,
            kind: "broadcast",
            from: { sessionId: input.from.sessionId, label: input.from.label, provider: input.from.provider },
            to: [],
            subject,
            body,
            threadId,
            artifacts: [],
            createdAt: now,
            expiresAt: DateTime.add(now, { seconds: ttl }),
            origin: "local"
          })
      })
      return envelope
    })

  /** The broadcasts that may be live, decoded, for the listing they were read from (the same array while unchanged). */
  let recent: { readonly names: ReadonlyArray<string>; readonly stored: ReadonlyArray<StoredEnvelope> } | undefined
  const mayBeLive = (nowMs: number) =>
    Effect.flatMap(envelopes.list(Layout.broadcastsDir), (names) => {
      if (recent !== undefined && recent.names === names) return Effect.succeed(recent.stored)
      const paths = names
        .filter((n) => n.endsWith(".json") && mayBeLiveBroadcast(n, nowMs))
        .map((n) => `${Layout.broadcastsDir}/${n}`)
      return Effect.map(envelopes.readMany(paths), (found) => {
        const stored = found.flatMap((e, i) => (Option.isSome(e) ? [storedEnvelope(paths[i]!, e.value)] : []))
        recent = { names, stored }
        return stored
      })
    })

  return Broadcasts.of({
    post,
    // The time read once the listing is in, as before, without steps of its own.
    live: Effect.clockWith((clock) => {
      const nowMs = clock.unsafeCurrentTimeMillis()
      return Effect.map(mayBeLive(nowMs), (list) =>
        list.length === 0 ? list : list.filter(isLive(DateTime.unsafeMake(nowMs)))
      )
    }),
    get: (id) =>
      /^[0-9A-Z]{26}$/.test(id)
        ? Effect.zipWith(envelopes.read(Layout.broadcast(id)), DateTime.now, (found, now) =>
            Option.filter(found, (e) => isLive(now)({ path: "", envelope: e, text: "" }))
          )
        : Effect.succeed(Option.none())
  })
})

export const layer: Layer.Layer<Broadcasts, never, Envelopes> = Layer.effect(Broadcasts, make)
