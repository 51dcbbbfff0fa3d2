import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Prompt from "@effect/cli/Prompt"
import * as Terminal from "@effect/platform/Terminal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Sessions, type SessionStatus } from "../bridge/Sessions.js"
import { sessionView } from "../bridge/Views.js"
import { SessionNotFound } from "../domain/Errors.js"
import { requireLabel } from "../domain/Names.js"
import { nfc } from "../domain/Nfc.js"
import { HostEnv } from "../services/HostEnv.js"
import { listed } from "./Help.js"
import {
  formatTable,
  inline,
  jsonOption,
  printErrorText,
  printJson,
  printText,
  relativeTime,
  tildify,
  truncate
} from "./Output.js"
import { ownSessionId } from "./CliSession.js"
import { usageError } from "./Runtime.js"

const sessionRows = (statuses: ReadonlyArray<SessionStatus>) =>
  Effect.gen(function* () {
    const host = yield* HostEnv
    const now = DateTime.toEpochMillis(yield* DateTime.now)
    return statuses.map((s) => [
      s.record.sessionId,
      inline(s.record.label),
      s.record.provider,
      inline(tildify(s.record.cwd, host.home)),
      relativeTime(DateTime.toEpochMillis(s.record.lastSeen), now),
      s.online ? "yes" : "no",
      truncate(s.record.summary ?? "", 60)
    ])
  })

const HEADERS = ["ID", "LABEL", "PROVIDER", "CWD", "LAST SEEN", "ONLINE", "SUMMARY"]

const all = Options.boolean("all").pipe(
  Options.withDescription("Include offline sessions (not seen in the last 10 minutes)")
)

const listSessions = Command.make("list-sessions", { all, json: jsonOption }, ({ all, json }) =>
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const statuses = yield* sessions.list({ includeOffline: all })
    if (json) return yield* printJson(statuses.map(sessionView))
    if (statuses.length === 0) {
      return yield* printText(
        all ? "No sessions yet." : "No live sessions. `session-bridge list-sessions --all` shows offline ones too."
      )
    }
    yield* printText(formatTable(HEADERS, yield* sessionRows(statuses)))
  })
)

const labelFilter = Options.text("label").pipe(
  Options.withDescription("Only sessions whose label contains this text (case-insensitive)"),
  Options.optional
)

/** Reads a choice number from a plain (non-TTY) stdin, after printing the numbered list on stderr. */
const numberedPrompt = (statuses: ReadonlyArray<SessionStatus>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  Effect.gen(function* () {
    const terminal = yield* Terminal.Terminal
    const table = formatTable(
      ["#", ...HEADERS],
      rows.map((r, i) => [String(i + 1), ...r])
    )
    yield* printErrorText(table)
    yield* terminal.display(`Choose a session [1-${statuses.length}]: `).pipe(Effect.ignore)
    const line = yield* terminal.readLine.pipe(
      Effect.mapError(() =>
        usageError(
          "no choice was read from standard input",
          "Pipe a number, or pass --label to narrow the list to one session."
        )
      )
    )
    const n = Number(line.trim())
    const chosen = Number.isInteger(n) ? statuses[n - 1] : undefined
    if (chosen === undefined) {
      return yield* usageError(
        `not a choice: ${JSON.stringify(line.trim().slice(0, 40))}`,
        `Answer with a number from 1 to ${statuses.length}.`
      )
    }
    return chosen
  })

/** Erases the picker's lines (message plus the visible choices) and shows the cursor again. */
const clearPicker = (choices: number) =>
  "\x1b[2K" + "\x1b[1A\x1b[2K".repeat(Math.min(choices, PICKER_PAGE)) + "\r\x1b[?25h"

const PICKER_PAGE = 10

const arrowPrompt = (statuses: ReadonlyArray<SessionStatus>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  Prompt.select({
    message: "Pick a session (arrow keys, Enter)",
    maxPerPage: PICKER_PAGE,
    choices: statuses.map((s, i) => ({
      title: formatTable(HEADERS, rows).split("\n")[i + 1] ?? inline(s.record.label),
      value: s
    }))
  }).pipe(
    // Ctrl-C: leave the terminal as it was before the picker, then end as an interrupted run (exit 130).
    Effect.catchTag("QuitException", () =>
      Effect.flatMap(Terminal.Terminal, (t) => t.display(clearPicker(statuses.length)).pipe(Effect.ignore)).pipe(
        Effect.zipRight(Effect.interrupt)
      )
    )
  )

/** Colours and cursor movement are off when NO_COLOR is set (any value) or TERM is dumb. */
const plainTerminal = Effect.map(
  HostEnv,
  (host) => Option.isSome(host.get("NO_COLOR")) || Option.getOrElse(host.get("TERM"), () => "") === "dumb"
)

const select = Command.make("select", { label: labelFilter, json: jsonOption }, ({ label, json }) =>
  Effect.gen(function* () {
    const sessions = yield* Sessions
    const terminal = yield* Terminal.Terminal
    const needle = Option.map(
      yield* Effect.transposeOption(Option.map(label, (l) => requireLabel(l, "--label"))),
      (l) => l.toLowerCase()
    )
    // Your own session is never a choice: picking it would address yourself.
    const own = yield* ownSessionId
    const live = (yield* sessions.list()).filter(
      (s) =>
        !Option.contains(own, s.record.sessionId) &&
        Option.match(needle, {
          onNone: () => true,
          onSome: (n) => nfc(s.record.label).toLowerCase().includes(n)
        })
    )
    if (live.length === 0) {
      return yield* new SessionNotFound({
        message: Option.match(label, {
          onNone: () => "no other live sessions to choose from",
          onSome: (l) => `no live session has a label containing ${JSON.stringify(l)}`
        }),
        hint: "Run `session-bridge list-sessions --all`; a session shows up after its first prompt or tool call."
      })
    }
    const rows = yield* sessionRows(live)
    const chosen =
      live.length === 1
        ? live[0]!
        : (yield* terminal.isTTY) && !(yield* plainTerminal)
          ? yield* arrowPrompt(live, rows)
          : yield* numberedPrompt(live, rows)
    yield* json ? printJson(sessionView(chosen)) : printText(chosen.record.sessionId)
  })
)

/** list-sessions, select. */
export const sessionCommands = [
  listed("sessions", "List sessions: label, provider, cwd, last seen, online, summary", listSessions),
  listed("sessions", "Pick a live session interactively and print its id, e.g. `$(session-bridge select)`", select)
] as const
