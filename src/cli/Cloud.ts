import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isoOfMillis } from "../domain/IsoTime.js"
import { listed } from "./Help.js"
import { jsonOption, printJson, printText } from "./Output.js"
import { usageError } from "./Runtime.js"

const iso = (ms: number) => isoOfMillis(ms)

/** The cloud layer is loaded only when a `cloud` command runs. */
const program = Effect.promise(() => import("./CloudProgram.js"))

const relay = Options.text("relay").pipe(
  Options.withDescription("The relay's base URL: https://..., or http:// on this machine only")
)
const handle = Options.text("handle").pipe(Options.withDescription("Your handle on the relay: 2-32 of a-z, 0-9, -"))
const registrationCode = Options.text("registration-code").pipe(
  Options.withDescription("The code the relay's operator gave you, when the relay requires one"),
  Options.optional
)

const register = Command.make(
  "register",
  { relay, handle, registrationCode, json: jsonOption },
  ({ relay, handle, registrationCode, json }) =>
    Effect.gen(function* () {
      if (!/^[a-z0-9-]{2,32}$/.test(handle))
        return yield* usageError(`invalid handle ${JSON.stringify(handle.slice(0, 40))}`, "Use 2-32 of a-z, 0-9 and -.")
      const { runRegister } = yield* program
      const credentials = yield* runRegister({
        relayUrl: relay,
        handle: handle as never,
        registrationCode: Option.getOrUndefined(registrationCode)
      })
      const { token: _token, ...shown } = credentials
      if (json) return yield* printJson(shown)
      yield* printText(
        `Registered ${shown.handle} (${shown.accountId}) on ${shown.relayUrl}.\n` +
          "Keys and credentials are under <home>/cloud/ (0600). Next: `session-bridge contact invite`."
      )
    })
).pipe(Command.withDescription("Create keys and an account on a relay"))

const status = Command.make("status", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const s = yield* (yield* program).runStatus
    if (json) return yield* printJson(s)
    const lines = [
      `account:  ${s.handle} (${s.accountId})`,
      `relay:    ${s.relayUrl} — ${s.relay.reachable ? "reachable" : "unreachable"}${s.relay.error ? ` (${s.relay.error})` : ""}`,
      `daemon:   ${s.daemon.running ? `running (pid ${s.daemon.pid})` : "not running"}`,
      `contacts: ${s.contacts.length === 0 ? "none" : s.contacts.map((c) => `${c.handle} (${c.state})`).join(", ")}`,
      `queued:   ${s.queued} message${s.queued === 1 ? "" : "s"}`
    ]
    yield* printText(lines.join("\n"))
  })
).pipe(Command.withDescription("Account, relay reachability, daemon, contacts and queued messages"))

const logout = Command.make("logout", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runLogout
    if (json) return yield* printJson(result)
    yield* printText(
      result.revokedAtRelay
        ? `Logged out ${result.handle}: the token is revoked and forgotten. Keys and contacts stay.`
        : `Forgot the token of ${result.handle}, but the relay could not be told (${result.error ?? "unreachable"}).`
    )
  })
).pipe(Command.withDescription("Revoke this home's relay token and forget it"))

const rotateToken = Command.make("rotate", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runTokenRotate
    if (json) return yield* printJson({ handle: result.handle, rotated: true, rotatedAt: iso(result.rotatedAt) })
    yield* printText(
      `Rotated the relay token of ${result.handle}: the old one is revoked, the new one is in <home>/cloud/credentials.json (0600).` +
        (result.resumed ? "\n(An earlier rotation was interrupted; it is completed now.)" : "") +
        "\nA running daemon picks the new token up by itself."
    )
  })
).pipe(Command.withDescription("Replace this home's relay token; the old one is revoked at once"))

const token = Command.make("token", {}, () =>
  Effect.fail(usageError("`cloud token` needs a subcommand", "Run `session-bridge cloud token rotate`."))
).pipe(Command.withDescription("This home's relay token: rotate"), Command.withSubcommands([rotateToken]))

const rotateIdentity = Command.make("rotate-identity", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const result = yield* (yield* program).runRotateIdentity
    if (json) return yield* printJson({ ...result, rotatedAt: iso(result.rotatedAt) })
    yield* printText(
      `New identity key for ${result.handle}, announced with a statement signed by the old and the new key.\n` +
        `fingerprint: ${result.oldFingerprint.slice(0, 16)}… → ${result.newFingerprint.slice(0, 16)}…\n` +
        "Contacts' daemons verify it against the key they pinned and show your new safety number; compare it again\n" +
        "with `session-bridge contact verify <handle>` on both sides."
    )
  })
).pipe(Command.withDescription("Make a new identity key and announce it to contacts, signed by the old one"))

const cloud = Command.make("cloud", {}, () =>
  Effect.fail(usageError("`cloud` needs a subcommand", "Run `session-bridge cloud --help`."))
).pipe(
  Command.withDescription("The opt-in cross-machine layer: account on a relay"),
  Command.withSubcommands([register, status, logout, token, rotateIdentity])
)

/** cloud register | status | logout | token rotate | rotate-identity. */
export const cloudCommands = [
  listed(
    "cloud",
    "Account on a relay (opt-in, end-to-end encrypted): register, status, logout, token rotate, rotate-identity",
    cloud
  )
] as const
