import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Channels } from "../bridge/Channels.js"
import { envelopeView } from "../bridge/Views.js"
import { actingSession, asOption } from "./CliSession.js"
import { artifactOption, bodyOptions, readBody } from "./Compose.js"
import { listed } from "./Help.js"
import { sendAndReport } from "./Messaging.js"
import { showMessage } from "./MessageView.js"
import { formatTable, jsonOption, plural, inline, printJson, printText } from "./Output.js"

const channelArg = Args.text({ name: "channel" }).pipe(
  Args.withDescription("The channel, e.g. #release (the '#' is optional)")
)

const list = Command.make("list", { as: asOption, json: jsonOption }, ({ as, json }) =>
  Effect.gen(function* () {
    const me = yield* actingSession(as)
    const channels = yield* Effect.flatMap(Channels, (c) => c.list(me.sessionId))
    if (json)
      return yield* printJson(channels.map((c) => ({ channel: `#${c.channel}`, members: c.members, joined: c.joined })))
    if (channels.length === 0)
      return yield* printText("No channels yet. `session-bridge channel join #name` creates one.")
    yield* printText(
      formatTable(
        ["CHANNEL", "MEMBERS", "JOINED"],
        channels.map((c) => [`#${c.channel}`, String(c.members), c.joined ? "yes" : "no"])
      )
    )
  })
).pipe(Command.withDescription("List channels with member counts and whether you joined"))

const join = Command.make("join", { channel: channelArg, as: asOption, json: jsonOption }, ({ channel, as, json }) =>
  Effect.gen(function* () {
    const me = yield* actingSession(as)
    const info = yield* Effect.flatMap(Channels, (c) => c.join(me.sessionId, channel))
    if (json) return yield* printJson({ channel: `#${info.channel}`, members: info.members })
    const names = info.members.map((m) => `${inline(m.label)}${m.online ? "" : " (offline)"}`).join(", ")
    yield* printText(`${me.label} is in #${info.channel}: ${plural(info.members.length, "member")} (${names}).`)
  })
).pipe(Command.withDescription("Join a channel (it is created on first join)"))

const leave = Command.make("leave", { channel: channelArg, as: asOption, json: jsonOption }, ({ channel, as, json }) =>
  Effect.gen(function* () {
    const me = yield* actingSession(as)
    const channels = yield* Channels
    const name = yield* channels.parse(channel)
    const { left } = yield* channels.leave(me.sessionId, channel)
    if (json) return yield* printJson({ channel: `#${name}`, left })
    yield* printText(left ? `${me.label} left #${name}.` : `${me.label} was not in #${name}.`)
  })
).pipe(Command.withDescription("Leave a channel"))

const history = Command.make(
  "history",
  {
    channel: channelArg,
    as: asOption,
    limit: Options.integer("limit").pipe(
      Options.withDescription("How many recent messages (1-1000, default 50)"),
      Options.optional
    ),
    json: jsonOption
  },
  ({ channel, as, limit, json }) =>
    Effect.gen(function* () {
      const me = yield* actingSession(as)
      const messages = yield* Effect.flatMap(Channels, (c) =>
        c.history(me.sessionId, channel, limit._tag === "Some" ? limit.value : undefined)
      )
      if (json) return yield* printJson(messages.map(envelopeView))
      if (messages.length === 0) return yield* printText("No messages in this channel yet.")
      for (const e of messages) yield* Effect.flatMap(showMessage(e), printText)
    })
).pipe(Command.withDescription("Print a channel's recent messages, oldest first (members only)"))

const post = Command.make(
  "post",
  {
    channel: channelArg,
    subject: Args.text({ name: "subject" }).pipe(Args.withDescription("A one-line subject")),
    as: asOption,
    ...bodyOptions,
    artifact: artifactOption,
    json: jsonOption
  },
  (o) =>
    Effect.gen(function* () {
      const body = yield* readBody(o)
      const from = yield* actingSession(o.as)
      const name = o.channel.startsWith("#") ? o.channel : `#${o.channel}`
      yield* sendAndReport(
        from,
        { channel: name },
        { subject: o.subject, body, artifacts: o.artifact, replyTo: Option.none() },
        o.json
      )
    })
).pipe(Command.withDescription("Post a message to a channel you joined"))

const channel = Command.make("channel", {}, () =>
  printText(
    [
      "Usage: session-bridge channel <subcommand> [--as <label|id>] [--json]",
      "  list                              channels, member counts, whether you joined",
      "  join <#channel>                   join (creates the channel on first join)",
      "  leave <#channel>                  leave",
      "  history <#channel> [--limit n]    recent messages, oldest first",
      "  post <#channel> <subject> [--body <text> | --body-file <path>] [--artifact <path>]..."
    ].join("\n")
  )
).pipe(Command.withSubcommands([list, join, leave, history, post]))

/** channel list | join | leave | history | post. */
export const channelCommands = [listed("messaging", "Channels: list | join | leave | history | post", channel)] as const
