import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Channels } from "../../bridge/Channels.js"
import { ChannelTag, EnvelopeView } from "../../bridge/Views.js"
import { NoArguments, readOnly, tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

const channelArg = Schema.Struct({ channel: Schema.String })

/** Joining twice or leaving twice changes nothing more. */
const membership = { readOnlyHint: false, idempotentHint: true, openWorldHint: false }

export const joinChannel = tool({
  name: "bridge_join_channel",
  title: "Join channel",
  description: "Join a #channel (created on first join) to post to it and receive its messages.",
  input: channelArg,
  output: Schema.Struct({
    channel: ChannelTag,
    members: Schema.Array(Schema.Struct({ sessionId: Schema.String, label: Schema.String, online: Schema.Boolean }))
  }),
  hints: { ...membership, destructiveHint: false },
  handler: ({ channel }) =>
    Effect.gen(function* () {
      const me = yield* caller
      return yield* (yield* Channels).join(me.sessionId, channel)
    })
})

export const leaveChannel = tool({
  name: "bridge_leave_channel",
  title: "Leave channel",
  description: "Leave a #channel; its messages stop arriving.",
  input: channelArg,
  output: Schema.Struct({ channel: ChannelTag, left: Schema.Boolean }),
  // It removes the caller from the members.
  hints: { ...membership, destructiveHint: true },
  handler: ({ channel }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const channels = yield* Channels
      const name = yield* channels.parse(channel)
      const { left } = yield* channels.leave(me.sessionId, name)
      return { channel: name, left }
    })
})

export const listChannels = tool({
  name: "bridge_list_channels",
  title: "List channels",
  description: "All channels with member counts and whether you joined.",
  input: NoArguments,
  output: Schema.Struct({
    channels: Schema.Array(Schema.Struct({ channel: ChannelTag, members: Schema.Number, joined: Schema.Boolean }))
  }),
  hints: readOnly,
  handler: () =>
    Effect.gen(function* () {
      const me = yield* caller
      return { channels: yield* (yield* Channels).list(me.sessionId) }
    })
})

export const channelHistory = tool({
  name: "bridge_channel_history",
  title: "Channel history",
  description: "Recent messages of a #channel you joined, oldest first (limit default 50).",
  input: Schema.Struct({ channel: Schema.String, limit: Schema.optional(Schema.Int) }),
  output: Schema.Struct({ channel: ChannelTag, messages: Schema.Array(EnvelopeView) }),
  hints: readOnly,
  handler: ({ channel, limit }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const channels = yield* Channels
      const name = yield* channels.parse(channel)
      return { channel: name, messages: yield* channels.history(me.sessionId, name, limit) }
    })
})
