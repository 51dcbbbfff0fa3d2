import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { toBase64Url } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import * as NodeRelay from "../platform/NodeRelay.js"
import { wireAccountId } from "./Http.js"
import * as RateLimiter from "./RateLimiter.js"
import { AccountNotFound } from "./RelayErrors.js"
import { RelaySettings } from "./RelaySettings.js"
import { RelayStore } from "./RelayStore.js"
import * as Server from "./Server.js"
import * as SqlRelayStore from "./SqlRelayStore.js"
import * as Waiters from "./Waiters.js"

const withEnv = <A>(config: Config.Config<A>) => Options.withFallbackConfig(config)

const db = Options.file("db").pipe(
  Options.withDescription("SQLite database file (default <home>/relay/relay.db)"),
  withEnv(Config.string("SESSION_BRIDGE_RELAY_DB")),
  Options.optional
)
const databaseUrl = Options.text("database-url").pipe(
  Options.withDescription("PostgreSQL instead of SQLite: postgres://user:pass@host/db"),
  withEnv(Config.string("SESSION_BRIDGE_RELAY_DATABASE_URL")),
  Options.optional
)
const host = Options.text("host").pipe(
  Options.withDescription("Address to bind (127.0.0.1; 0.0.0.0 for every interface)"),
  withEnv(Config.string("SESSION_BRIDGE_RELAY_HOST")),
  Options.withDefault("127.0.0.1")
)
const port = Options.integer("port").pipe(
  Options.withDescription("Port to bind (8788; 0 picks a free one, logged in the first line)"),
  withEnv(Config.integer("SESSION_BRIDGE_RELAY_PORT")),
  Options.withDefault(8788)
)
const registrationCode = Options.text("registration-code").pipe(
  Options.withDescription("Registration needs this code"),
  withEnv(Config.string("SESSION_BRIDGE_RELAY_REGISTRATION_CODE")),
  Options.optional
)
const openRegistration = Options.boolean("open-registration").pipe(
  Options.withDescription("No registration code even when bound beyond loopback"),
  withEnv(Config.boolean("SESSION_BRIDGE_RELAY_OPEN_REGISTRATION"))
)
const rateLimits = Options.choice("rate-limits", ["on", "off"]).pipe(
  Options.withDescription("off: no rate limits, for load tests on a private relay (quotas still apply)"),
  withEnv(Config.literal("on", "off")("SESSION_BRIDGE_RELAY_RATE_LIMITS")),
  Options.withDefault("on" as const)
)
const jsonOutput = Options.boolean("json").pipe(Options.withDescription("Machine-readable output"))

interface DatabaseChoice {
  readonly db: Option.Option<string>
  readonly databaseUrl: Option.Option<string>
}

const homeDir = Effect.gen(function* () {
  const explicit = yield* Config.option(Config.string("SESSION_BRIDGE_HOME"))
  if (Option.isSome(explicit)) return explicit.value
  return `${yield* NodeRelay.userHome}/.session-bridge`
})

/** The SQLite file in use (or none for PostgreSQL), and the folder the registration code is kept in. */
const locate = (choice: DatabaseChoice) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const relayDir = path.join(yield* homeDir, "relay")
    if (Option.isSome(choice.databaseUrl)) return { file: Option.none<string>(), dir: relayDir }
    const file = path.resolve(Option.getOrElse(choice.db, () => path.join(relayDir, "relay.db")))
    return { file: Option.some(file), dir: path.dirname(file) }
  })

const storeLayer = (choice: DatabaseChoice, file: Option.Option<string>) =>
  Option.isSome(choice.databaseUrl)
    ? SqlRelayStore.layerPg({ url: choice.databaseUrl.value })
    : SqlRelayStore.layerSqlite({ filename: Option.getOrElse(file, () => "relay.db") })

const isLoopback = (address: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(address)

const CODE_FILE = "registration-code"

/**
 * The code registration needs: the one given; on loopback none; beyond loopback (unless `--open-registration`)
 * the one kept next to the database, made at first start (0600) and announced once in the log.
 */
const chooseRegistrationCode = (options: {
  readonly given: Option.Option<string>
  readonly open: boolean
  readonly host: string
  readonly dir: string
}) =>
  Effect.gen(function* () {
    if (Option.isSome(options.given)) return { code: options.given, generated: false }
    if (options.open || isLoopback(options.host)) return { code: Option.none<string>(), generated: false }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(options.dir, CODE_FILE)
    if (yield* fs.exists(file)) {
      const kept = (yield* fs.readFileString(file)).trim()
      if (kept !== "") return { code: Option.some(kept), generated: false }
    }
    const code = toBase64Url(yield* (yield* CloudCrypto).randomBytes(18))
    yield* fs.makeDirectory(options.dir, { recursive: true, mode: 0o700 })
    const tmp = `${file}.tmp-${code.slice(0, 6)}`
    yield* fs.writeFileString(tmp, `${code}\n`, { mode: 0o600 })
    yield* fs.rename(tmp, file)
    return { code: Option.some(code), generated: true }
  })

const relay = Command.make(
  "relay",
  { db, databaseUrl, host, port, registrationCode, openRegistration, rateLimits },
  (options) =>
    Effect.gen(function* () {
      const where = yield* locate(options)
      const code = yield* chooseRegistrationCode({
        given: options.registrationCode,
        open: options.openRegistration,
        host: options.host,
        dir: where.dir
      })
      const notice = code.generated
        ? Effect.logWarning("registration_code_generated").pipe(
            Effect.annotateLogs({
              code: Option.getOrElse(code.code, () => ""),
              file: `${where.dir}/${CODE_FILE}`,
              note: "registration on this relay needs this code; it is printed once"
            })
          )
        : Effect.void
      const details = {
        database: Option.isSome(options.databaseUrl) ? "postgres" : "sqlite",
        registration: Option.isSome(code.code) ? "code" : "open",
        rateLimits: options.rateLimits
      }
      const services = Layer.mergeAll(
        storeLayer(options, where.file),
        Waiters.layerInProcess,
        RateLimiter.layer(options.rateLimits === "on"),
        Layer.succeed(RelaySettings, { registrationCode: code.code }),
        NodeCloudCrypto.layer,
        NodeRelay.layerRunningSha256
      )
      return yield* Layer.launch(
        Server.layer(details, notice).pipe(
          Layer.provide(NodeRelay.layerServer({ host: options.host, port: options.port })),
          Layer.provide(services)
        )
      )
    })
).pipe(Command.withDescription("The relay server, in the foreground (docs/cloud-quickstart.md)"))

const withStore = <A, E>(choice: DatabaseChoice, use: Effect.Effect<A, E, RelayStore>) =>
  Effect.flatMap(locate(choice), (where) => Effect.provide(use, storeLayer(choice, where.file)))

const list = Command.make("list", { db, databaseUrl, json: jsonOutput }, (options) =>
  withStore(
    options,
    Effect.gen(function* () {
      const accounts = yield* (yield* RelayStore).listAccounts
      const rows = accounts.map((a) => ({
        accountId: wireAccountId(a.id),
        handle: a.handle,
        createdAt: new Date(a.createdAt).toISOString(),
        disabled: a.disabledAt !== null,
        lastSeen: a.lastSeen === null ? null : new Date(a.lastSeen).toISOString()
      }))
      if (options.json) return yield* Console.log(JSON.stringify({ accounts: rows }, null, 2))
      if (rows.length === 0) return yield* Console.log("no accounts")
      for (const r of rows) {
        yield* Console.log(
          `${r.handle.padEnd(33)} ${r.accountId.padEnd(12)} ${r.disabled ? "disabled" : "active  "} ${r.createdAt}`
        )
      }
    })
  )
).pipe(Command.withDescription("Every account on the relay's database"))

const disable = Command.make(
  "disable",
  { handle: Args.text({ name: "handle" }), db, databaseUrl, json: jsonOutput },
  (options) =>
    withStore(
      options,
      Effect.gen(function* () {
        const store = yield* RelayStore
        const account = yield* store.getAccountByHandle(options.handle)
        if (Option.isNone(account)) return yield* new AccountNotFound({ account: options.handle })
        const changed = yield* store.disableAccount(account.value.id)
        yield* store.audit(null, "account_disabled", options.handle)
        const result = { handle: options.handle, accountId: wireAccountId(account.value.id), disabled: true, changed }
        yield* Console.log(
          options.json
            ? JSON.stringify(result)
            : changed
              ? `disabled ${options.handle}: every token of it is revoked`
              : `${options.handle} was already disabled`
        )
      })
    )
).pipe(Command.withDescription("Disable an account: every token of it is revoked at once"))

const account = Command.make("account").pipe(
  Command.withDescription("Operator commands on the relay's database"),
  Command.withSubcommands([list, disable])
)

export const relayCommand = relay.pipe(Command.withSubcommands([account]))

/** The relay's command line; `argv` is the full process argv with `relay` as its first argument. */
export const cli = (version: string) => Command.run(relayCommand, { name: "session-bridge relay", version })
