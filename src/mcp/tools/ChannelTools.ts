import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Channels } from "../../bridge/Channels.js"
import { envelopeView } from "../../bridge/Views.js"
import { tool } from "../ToolDef.js"
import { caller } from "./Caller.js"

const channelArg = Schema.Struct({ channel: Schema.String })

export const joinChannel = tool({
  name: "bridge_join_channel",
  description: "Join a #channel (created on first join) to post to it and receive its messages.",
  input: channelArg,
  handler: ({ channel }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const info = yield* (yield* Channels).join(me.sessionId, channel)
      return { channel: `#${info.channel}`, members: info.members }
    })
})

export const leaveChannel = tool({
  name: "bridge_leave_channel",
  description: "Leave a #channel; its messages stop arriving.",
  input: channelArg,
  handler: ({ channel }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const channels = yield* Channels
      const name = yield* channels.parse(channel)
      const { left } = yield* channels.leave(me.sessionId, name)
      return { channel: `#${name}`, left }
    })
})

export const listChannels = tool({
  name: "bridge_list_channels",
  description: "All channels with member counts and whether you joined.",
  input: Schema.Struct({}),
  handler: () =>
    Effect.gen(function* () {
      const me = yield* caller
      const list = yield* (yield* Channels).list(me.sessionId)
      return { channels: list.map((c) => ({ channel: `#${c.channel}`, members: c.members, joined: c.joined })) }
    })
})

export const channelHistory = tool({
  name: "bridge_channel_history",
  description: "Recent messages of a #channel you joined, oldest first (limit default 50).",
  input: Schema.Struct({ channel: Schema.String, limit: Schema.optional(Schema.Int) }),
  handler: ({ channel, limit }) =>
    Effect.gen(function* () {
      const me = yield* caller
      const channels = yield* Channels
      const name = yield* channels.parse(channel)
      const messages = yield* channels.history(me.sessionId, name, limit)
      return { channel: `#${name}`, messages: messages.map(envelopeView) }
    })
})
