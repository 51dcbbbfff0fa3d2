import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type InvalidArgument, InvalidName, type LockTimeout, NotAMember, type StoreError } from "../domain/Errors.js"
import { Layout } from "../domain/Layout.js"
import { ChannelName, ChannelRef, channelProblem } from "../domain/Names.js"
import type { MessageEnvelope } from "../domain/Records.js"
import { SessionId } from "../domain/Ulid.js"
import { UtcTime } from "../domain/UtcTime.js"
import { readJsonIn, writeJson } from "../services/store/Documents.js"
import { Lock } from "../services/Lock.js"
import { Store } from "../services/store/Store.js"
import { checkLimit } from "./Checks.js"
import { Envelopes } from "./Envelopes.js"
import { HISTORY_DEFAULT_LIMIT } from "./Limits.js"
import { newestEnvelopes } from "./NewestEnvelopes.js"
import { Sessions } from "./Sessions.js"

/** channels/<name>/members.json */
export const ChannelMembers = Schema.Struct({
  v: Schema.Literal(1),
  channel: ChannelName,
  createdAt: UtcTime,
  members: Schema.Array(Schema.Struct({ sessionId: SessionId, joinedAt: UtcTime }))
})
export type ChannelMembers = typeof ChannelMembers.Type

export interface MemberView {
  readonly sessionId: SessionId
  readonly label: string
  readonly online: boolean
}

export interface ChannelInfo {
  readonly channel: ChannelName
  readonly members: ReadonlyArray<MemberView>
}

export interface ChannelSummary {
  readonly channel: ChannelName
  readonly members: number
  readonly joined: boolean
}

/** Named multi-recipient channels: membership, history (one copy per message), fan-out done by Mailbox. */
export interface ChannelsShape {
  /** "#name" or "name" to a canonical name; INVALID_NAME for anything else. */
  readonly parse: (raw: string) => Effect.Effect<ChannelName, InvalidName>
  /** Joins (creating the channel on first join); idempotent. */
  readonly join: (
    sessionId: SessionId,
    channel: string
  ) => Effect.Effect<ChannelInfo, InvalidName | StoreError | LockTimeout>
  readonly leave: (
    sessionId: SessionId,
    channel: string
  ) => Effect.Effect<{ readonly left: boolean }, InvalidName | StoreError | LockTimeout>
  /** Every channel with its member count and whether `sessionId` has joined. */
  readonly list: (sessionId: SessionId) => Effect.Effect<ReadonlyArray<ChannelSummary>, StoreError>
  readonly members: (channel: ChannelName) => Effect.Effect<ReadonlyArray<SessionId>, StoreError>
  /** NOT_A_MEMBER unless `sessionId` has joined. */
  readonly requireMember: (
    sessionId: SessionId,
    channel: string
  ) => Effect.Effect<ChannelName, InvalidName | NotAMember | StoreError>
  /** The most recent `limit` messages (default 50), oldest first; members only. */
  readonly history: (
    sessionId: SessionId,
    channel: string,
    limit?: number | undefined
  ) => Effect.Effect<ReadonlyArray<MessageEnvelope>, InvalidArgument | InvalidName | NotAMember | StoreError>
  /** Channels `sessionId` has joined. */
  readonly joined: (sessionId: SessionId) => Effect.Effect<ReadonlyArray<ChannelName>, StoreError>
}

export class Channels extends Context.Tag("session-bridge/Channels")<Channels, ChannelsShape>() {}

export const make = Effect.gen(function* () {
  const store = yield* Store
  const lock = yield* Lock
  const sessions = yield* Sessions
  const envelopes = yield* Envelopes
  const provideStore = Effect.provideService(Store, store)

  const parse = (raw: string) =>
    Schema.decodeUnknown(ChannelRef)(raw).pipe(
      Effect.mapError(
        () =>
          new InvalidName({
            message: channelProblem(raw),
            hint: "A channel is '#' plus 1-64 of a-z 0-9 . _ - starting with a letter or digit, e.g. #release."
          })
      )
    )

  const readMembers = (channel: ChannelName) => readJsonIn(store, Layout.channelMembers(channel), ChannelMembers)

  const members = (channel: ChannelName) =>
    Effect.map(readMembers(channel), (found) =>
      Option.match(found, {
        onNone: (): ReadonlyArray<SessionId> => [],
        onSome: (m) => m.members.map((x) => x.sessionId)
      })
    )

  const modify = (channel: ChannelName, f: (current: ChannelMembers) => ChannelMembers) =>
    lock.withLock(`channel-${channel}`)(
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const current = Option.getOrElse(yield* readMembers(channel), () =>
          ChannelMembers.make({ v: 1, channel, createdAt: now, members: [] })
        )
        const next = f(current)
        if (next !== current) yield* writeJson(Layout.channelMembers(channel), ChannelMembers, next).pipe(provideStore)
        return next
      })
    )

  const memberViews = (ids: ReadonlyArray<SessionId>) =>
    Effect.forEach(ids, (sessionId) =>
      Effect.gen(function* () {
        const record = yield* sessions.get(sessionId)
        if (Option.isNone(record)) return { sessionId, label: "(unknown)", online: false }
        return { sessionId, label: record.value.label, online: yield* sessions.isOnline(record.value) }
      })
    )

  const requireMember = (sessionId: SessionId, raw: string) =>
    Effect.gen(function* () {
      const channel = yield* parse(raw)
      if (!(yield* members(channel)).includes(sessionId)) {
        return yield* new NotAMember({ channel })
      }
      return channel
    })

  const list = (sessionId: SessionId): Effect.Effect<ReadonlyArray<ChannelSummary>, StoreError> =>
    Effect.flatMap(store.list(Layout.channelsDir), (all) => {
      const names = all.filter(Schema.is(ChannelName))
      if (names.length === 0) return Effect.succeed([])
      return Effect.map(
        Effect.forEach(names, (name) => readMembers(name)),
        (found) =>
          found.flatMap(Option.toArray).map((m) => ({
            channel: m.channel,
            members: m.members.length,
            joined: m.members.some((x) => x.sessionId === sessionId)
          }))
      )
    })

  return Channels.of({
    parse,
    join: (sessionId, raw) =>
      Effect.gen(function* () {
        const channel = yield* parse(raw)
        const now = yield* DateTime.now
        const next = yield* modify(channel, (m) =>
          m.members.some((x) => x.sessionId === sessionId)
            ? m
            : ChannelMembers.make({ ...m, members: [...m.members, { sessionId, joinedAt: now }] })
        )
        return { channel, members: yield* memberViews(next.members.map((x) => x.sessionId)) }
      }),
    leave: (sessionId, raw) =>
      Effect.gen(function* () {
        const channel = yield* parse(raw)
        let left = false
        yield* modify(channel, (m) => {
          if (!m.members.some((x) => x.sessionId === sessionId)) return m
          left = true
          return ChannelMembers.make({ ...m, members: m.members.filter((x) => x.sessionId !== sessionId) })
        })
        return { left }
      }),
    list,
    members,
    requireMember,
    history: (sessionId, raw, limit) =>
      Effect.gen(function* () {
        const n = yield* checkLimit(limit, HISTORY_DEFAULT_LIMIT)
        const channel = yield* requireMember(sessionId, raw)
        return yield* newestEnvelopes(envelopes, Layout.channelHistoryDir(channel), n)
      }),
    joined: (sessionId) => Effect.map(list(sessionId), (all) => all.filter((c) => c.joined).map((c) => c.channel))
  })
})

export const layer: Layer.Layer<Channels, never, Store | Lock | Sessions | Envelopes> = Layer.effect(Channels, make)
