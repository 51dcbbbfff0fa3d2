import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { MessageNotFound } from "../domain/Errors.js"
import { MAX_MARK_READ_IDS } from "../bridge/Limits.js"
import { Mailbox } from "../bridge/Mailbox.js"
import { artifactView, envelopeView } from "../bridge/Views.js"
import { actingSession, asOption } from "./CliSession.js"
import { listed } from "./Help.js"
import { showMessage } from "./MessageView.js"
import { formatBytes, inline, jsonOption, plural, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

const idArg = Args.text({ name: "id" }).pipe(
  Args.withDescription("A message id from tail-inbox, search or channel history")
)

const markOption = Options.boolean("mark-read").pipe(
  Options.withDescription("Also mark the message read (as mark-read does)")
)

const read = Command.make(
  "read",
  { id: idArg, as: asOption, mark: markOption, json: jsonOption },
  ({ id, as, mark, json }) =>
    Effect.gen(function* () {
      const me = yield* actingSession(as)
      const mailbox = yield* Mailbox
      const detail = yield* mailbox.read(me.sessionId, id)
      if (mark) yield* mailbox.markRead(me.sessionId, [detail.envelope.id])
      const isRead = detail.read || mark
      if (json)
        return yield* printJson({
          ...envelopeView(detail.envelope),
          artifacts: detail.artifacts.map(artifactView),
          read: isRead
        })
      const text = yield* showMessage(detail.envelope, isRead)
      const files = detail.artifacts.map(
        (a) =>
          `   + ${a.sha256}  ${inline(a.name ?? "(unnamed)")}  ${formatBytes(a.size)}  ` +
          `(session-bridge artifact save ${a.sha256.slice(0, 12)}… -o FILE)`
      )
      // showMessage lists bare artifact shas; here each one gets its name, size and how to save it.
      yield* printText([...text.split("\n").filter((l) => !l.startsWith("   + artifact ")), ...files].join("\n"))
    })
)

const ids = Args.text({ name: "id" }).pipe(
  Args.withDescription(`Message ids to mark read (at most ${MAX_MARK_READ_IDS})`),
  Args.atLeast(1)
)

const markRead = Command.make("mark-read", { ids, as: asOption, json: jsonOption }, ({ ids, as, json }) =>
  Effect.gen(function* () {
    if (ids.length > MAX_MARK_READ_IDS)
      return yield* usageError(
        `${ids.length} ids given; at most ${MAX_MARK_READ_IDS} per call`,
        "Split the list over several calls."
      )
    const me = yield* actingSession(as)
    const result = yield* Effect.flatMap(Mailbox, (m) => m.markRead(me.sessionId, ids))
    if (json) yield* printJson(result)
    else yield* printText(`Marked ${plural(result.marked, "message")} read.`)
    if (result.unknown > 0)
      return yield* new MessageNotFound({
        message: `${plural(result.unknown, "id")} not in the inbox or live broadcasts of ${inline(me.label)}`,
        hint: "Use ids from `session-bridge tail-inbox --all`; the others were marked."
      })
  })
)

/** read, mark-read. */
export const inboxCommands = [
  listed("messaging", "Print one message in full, with its artifacts; --mark-read marks it read", read),
  listed("messaging", "Mark messages read by id (idempotent)", markRead)
] as const
