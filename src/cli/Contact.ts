import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { MAX_REMOTE_ARTIFACTS } from "../bridge/RemoteSend.js"
import { InvalidArgument } from "../domain/Errors.js"
import { isoOfMillis } from "../domain/IsoTime.js"
import type { Handle } from "../protocol/WireSchemas.js"
import { cliSession } from "./CliSession.js"
import { artifactOption, bodyOptions, postArtifacts, readBody } from "./Compose.js"
import { listed } from "./Help.js"
import { inline, jsonOption, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

/** The cloud layer is loaded only when a `contact` command runs. */
const program = Effect.promise(() => import("./ContactProgram.js"))

const handleArg = Args.text({ name: "handle" }).pipe(Args.withDescription("The contact's handle on the relay"))

const checkHandle = (handle: string) =>
  /^[a-z0-9-]{2,32}$/.test(handle)
    ? Effect.succeed(handle as Handle)
    : Effect.fail(
        usageError(`invalid handle ${JSON.stringify(handle.slice(0, 40))}`, "Handles are 2-32 of a-z, 0-9 and -.")
      )

const iso = (ms: number) => isoOfMillis(ms)

const invite = Command.make("invite", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runInvite
    if (json) return yield* printJson({ code: result.code, expiresAt: iso(result.expiresAt) })
    yield* printText(
      `Invite code (single use, valid until ${iso(result.expiresAt)}):\n\n  ${result.code}\n\n` +
        "Give it to one person out of band (chat, voice); they run `session-bridge contact add <code>`.\n" +
        "Then accept them: `session-bridge contact accept <their handle>`."
    )
  })
).pipe(Command.withDescription("Make a single-use invite code (24 h) for one person to add you"))

const uninvite = Command.make(
  "uninvite",
  {
    code: Args.text({ name: "code" }).pipe(Args.withDescription("The sb1-… code `contact invite` printed")),
    json: jsonOption
  },
  ({ code, json }) =>
    Effect.gen(function* () {
      const result = yield* (yield* program).runUninvite(code)
      if (json) return yield* printJson(result)
      yield* printText("Withdrew the invite: the relay deleted it, and nobody can redeem the code any more.")
    })
).pipe(Command.withDescription("Withdraw an invite code nobody has been accepted with yet"))

const add = Command.make(
  "add",
  {
    code: Args.text({ name: "code" }).pipe(Args.withDescription("The sb1-… code the inviter gave you")),
    json: jsonOption
  },
  ({ code, json }) =>
    Effect.gen(function* () {
      const result = yield* (yield* program).runAdd(code)
      if (json) return yield* printJson(result)
      yield* printText(
        `Added ${result.handle} (${result.accountId}); the contact is pending until ${result.handle} accepts.\n` +
          `Safety number: ${result.safetyNumber}\n` +
          `Compare it with ${result.handle} over another channel; the same number on both sides means no one is in between.`
      )
    })
).pipe(Command.withDescription("Redeem an invite code: prints the inviter's handle and the safety number"))

const accept = Command.make("accept", { handle: handleArg, json: jsonOption }, ({ handle, json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runAccept(yield* checkHandle(handle))
    if (json) return yield* printJson(result)
    yield* printText(`Accepted ${result.handle}: the contact is active.\nSafety number: ${result.safetyNumber}`)
  })
).pipe(Command.withDescription("Accept the person who redeemed your invite"))

const revoke = Command.make("revoke", { handle: handleArg, json: jsonOption }, ({ handle, json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runRevoke(yield* checkHandle(handle))
    if (json) return yield* printJson(result)
    yield* printText(
      `Revoked ${result.handle}: nothing more is sent to or accepted from it on this home.` +
        (result.relay === "revoked"
          ? ""
          : `\nThe relay could not be told (${inline(result.relay)}); run this again later.`)
    )
  })
).pipe(Command.withDescription("End a contact (either side, at once); a new invite is needed to add it again"))

const list = Command.make("list", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runList
    if (json) return yield* printJson(result)
    if (result.contacts.length === 0)
      return yield* printText("No contacts yet: `session-bridge contact invite` makes a code for someone to add you.")
    const lines = result.contacts.map(
      (c) =>
        `${c.handle.padEnd(20)} ${c.state.padEnd(8)} last seen ${c.lastSeen === null ? "never" : iso(c.lastSeen)}` +
        (c.keyChanged ? "  KEY_CHANGED: exchange a new invite" : "") +
        (c.identityChangedAt !== null
          ? `  identity key changed ${iso(c.identityChangedAt)} (signed by the old key); safety number now ${c.safetyNumber}`
          : "")
    )
    if (result.relay !== "reachable") lines.push(`(relay not reached: ${inline(result.relay)}; states as last known)`)
    yield* printText(lines.join("\n"))
  })
).pipe(Command.withDescription("Contacts with their state and when the relay last saw them"))

const verify = Command.make("verify", { handle: handleArg, json: jsonOption }, ({ handle, json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runVerify(handle)
    if (json) return yield* printJson(result)
    yield* printText(
      `Safety number with ${result.handle} (${result.state}):\n\n  ${result.safetyNumber}\n\n` +
        `${result.handle} sees the same 20 digits when nobody is in between.` +
        (result.identityChangedAt !== null
          ? `\n${result.handle}'s identity key changed ${iso(result.identityChangedAt)} (a rotation signed by the key you had` +
            " pinned), so this number changed with it: compare it again."
          : "")
    )
  })
).pipe(Command.withDescription("The 20-digit safety number to compare with a contact"))

const sessions = Command.make(
  "sessions",
  { handle: handleArg.pipe(Args.optional), json: jsonOption },
  ({ handle, json }) =>
    Effect.gen(function* () {
      const result = yield* (yield* program).runSessions
      const wanted = Option.getOrUndefined(handle)
      const contacts = result.cache.contacts.filter((c) => wanted === undefined || c.handle === wanted)
      if (json) return yield* printJson({ stale: result.stale, fetchedAt: result.cache.fetchedAt, contacts })
      const lines = contacts.flatMap((c) =>
        c.sessions.map(
          (s) =>
            `${c.handle}  ${inline(s.label).padEnd(20)} ${inline(s.cli ?? "").padEnd(12)} since ${iso(s.since)}  ${inline(s.cwd ?? "")}`
        )
      )
      if (lines.length === 0)
        lines.push(wanted === undefined ? "No contact sessions are live." : `${wanted} has no live session.`)
      if (result.stale) lines.push(`(relay not reached: ${inline(result.error ?? "")}; as last fetched)`)
      yield* printText(lines.join("\n"))
    })
).pipe(Command.withDescription("Contacts' live sessions (label, host, since), asked of the relay now"))

const send = Command.make(
  "send",
  {
    handle: handleArg,
    subject: Args.text({ name: "subject" }).pipe(Args.withDescription("A one-line subject")),
    ...bodyOptions,
    label: Options.text("label").pipe(
      Options.withDescription("The contact's session label (default: its most recently active session)"),
      Options.optional
    ),
    artifact: artifactOption,
    json: jsonOption
  },
  (o) =>
    Effect.gen(function* () {
      const handle = yield* checkHandle(o.handle)
      const body = yield* readBody(o)
      const artifacts = yield* attach(o.artifact)
      const result = yield* (yield* program).runSend({
        handle,
        subject: o.subject,
        body,
        label: Option.getOrUndefined(o.label),
        artifacts
      })
      if (json(o)) return yield* printJson({ ...result, artifacts: artifacts.map((a) => a.sha256) })
      const extra =
        artifacts.length === 0 ? "" : ` with ${artifacts.length} artifact${artifacts.length === 1 ? "" : "s"}`
      yield* printText(
        `Queued ${result.messageId}${extra} for ${result.contact}; the daemon sends it (\`session-bridge cloud status\` shows the queue).`
      )
    })
).pipe(Command.withDescription("Message a contact's session, with artifacts (queued; the daemon sends it)"))

/**
 * `--artifact` files: posted to this home's artifact store as the CLI's own session (the same size cap and name
 * rules as `send-message --artifact`), then carried encrypted by the daemon. At most 8, as from a session.
 */
const attach = (paths: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    if (paths.length === 0) return []
    if (new Set(paths).size > MAX_REMOTE_ARTIFACTS)
      return yield* new InvalidArgument({
        message: `${paths.length} artifacts; a message to a contact carries at most ${MAX_REMOTE_ARTIFACTS}`,
        hint: "Bundle them (e.g. one archive) or send several messages."
      })
    const metas = yield* postArtifacts(paths, yield* cliSession)
    const unique = new Map(metas.map((m) => [m.sha256, m]))
    return [...unique.values()].map((m) => ({
      sha256: m.sha256,
      size: m.size,
      ...(m.name !== undefined ? { name: m.name } : {}),
      mime: m.mimeType
    }))
  })

const json = (o: { readonly json: boolean }) => o.json

const contact = Command.make("contact", {}, () =>
  Effect.fail(usageError("`contact` needs a subcommand", "Run `session-bridge contact --help`."))
).pipe(
  Command.withDescription("Contacts on the relay: invite, uninvite, add, accept, revoke, list, verify, sessions, send"),
  Command.withSubcommands([invite, uninvite, add, accept, revoke, list, verify, sessions, send])
)

/** contact invite | add | accept | revoke | list | verify | sessions | send. */
export const contactCommands = [
  listed("cloud", "Contacts on the relay: invite, uninvite, add, accept, revoke, list, verify, sessions, send", contact)
] as const
