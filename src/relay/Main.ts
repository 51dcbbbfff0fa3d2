import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { isoOfMillis } from "../domain/IsoTime.js"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import * as NodeRelay from "../platform/NodeRelay.js"
import * as PgListen from "../platform/PgListen.js"
import { wireAccountId } from "./Http.js"
import { BadRequest } from "./HttpErrors.js"
import * as HotRoutes from "./HotRoutes.js"
import * as MoveToPg from "./MoveToPg.js"
import * as PgWaiters from "./PgWaiters.js"
import { makeReplicaMemory } from "./ReplicaMemory.js"
import * as RateLimiter from "./RateLimiter.js"
import * as RegistrationCode from "./RegistrationCode.js"
import { AccountNotFound } from "./RelayErrors.js"
import { RelaySettings } from "./RelaySettings.js"
import { RelayStore } from "./RelayStore.js"
import * as Server from "./Server.js"
import * as SendsArriving from "./SendsArriving.js"
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

/**
 * The serving relay's store and waiters. SQLite: in-process waiters (one process). PostgreSQL: waiters also woken by
 * every replica's commits via LISTEN, and the token cache and spool tails that connection keeps, shared with the
 * store (ReplicaMemory.ts).
 */
const servingLayers = (choice: DatabaseChoice, file: Option.Option<string>) => {
  if (Option.isNone(choice.databaseUrl)) return { store: storeLayer(choice, file), waiters: Waiters.layerInProcess }
  const url = choice.databaseUrl.value
  const memory = makeReplicaMemory()
  const listen = PgListen.listen({
    url,
    applicationName: PgWaiters.LISTEN_APPLICATION_NAME,
    channels: PgWaiters.LISTEN_CHANNELS
  })
  return { store: SqlRelayStore.layerPg({ url, memory }), waiters: PgWaiters.layer(listen, memory) }
}

const relay = Command.make(
  "relay",
  { db, databaseUrl, host, port, registrationCode, openRegistration, rateLimits },
  (options) =>
    Effect.gen(function* () {
      const where = yield* locate(options)
      const choice = {
        given: options.registrationCode,
        open: options.openRegistration,
        host: options.host,
        dir: Option.isSome(options.databaseUrl) ? Option.none<string>() : Option.some(where.dir)
      }
      const details = {
        database: Option.isSome(options.databaseUrl) ? "postgres" : "sqlite",
        registration: RegistrationCode.needsCode(choice) ? "code" : "open",
        rateLimits: options.rateLimits
      }
      // The send route counts the sends on their way to the store; the store's group commit waits for them.
      const serving = servingLayers(options, where.file)
      const store = serving.store.pipe(Layer.provideMerge(SendsArriving.layer))
      // One store layer value, so the settings and the routes share one connection pool.
      const settings = Layer.effect(
        RelaySettings,
        Effect.map(RegistrationCode.choose(choice), (chosen) => ({
          registrationCode: chosen.code,
          notice: RegistrationCode.notice(chosen)
        }))
      ).pipe(Layer.provide(store))
      const services = Layer.mergeAll(
        store,
        settings,
        serving.waiters,
        RateLimiter.layer(options.rateLimits === "on"),
        NodeCloudCrypto.layer,
        NodeRelay.layerRunningSha256,
        NodeRelay.layerRequestLog
      )
      const notice = Effect.flatMap(RelaySettings, (s) => s.notice)
      return yield* Layer.launch(
        Server.layer(details, notice).pipe(
          Layer.provide(NodeRelay.layerServer({ host: options.host, port: options.port })),
          Layer.provide(HotRoutes.layer),
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
        createdAt: isoOfMillis(a.createdAt),
        disabled: a.disabledAt !== null,
        lastSeen: a.lastSeen === null ? null : isoOfMillis(a.lastSeen)
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

const migrateToPg = Command.make("migrate-to-pg", { db, databaseUrl, json: jsonOutput }, (options) =>
  Effect.gen(function* () {
    if (Option.isNone(options.databaseUrl)) {
      return yield* new BadRequest({
        detail: "--database-url (the empty PostgreSQL database to move into) is required"
      })
    }
    const where = yield* locate({ db: options.db, databaseUrl: Option.none() })
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const filename = Option.getOrElse(where.file, () => "relay.db")
    if (!(yield* fs.exists(filename))) return yield* new BadRequest({ detail: `no SQLite database at ${filename}` })
    const codeFile = path.join(where.dir, RegistrationCode.CODE_FILE)
    const code = (yield* fs.exists(codeFile)) ? (yield* fs.readFileString(codeFile)).trim() : ""
    const copied = yield* MoveToPg.moveToPg({
      filename,
      url: options.databaseUrl.value,
      registrationCode: code === "" ? Option.none() : Option.some(code)
    })
    yield* Console.log(
      options.json
        ? JSON.stringify({ from: filename, copied })
        : `copied ${Object.entries(copied)
            .map(([table, n]) => `${n} ${table}`)
            .join(", ")} from ${filename}; start the relay with --database-url`
    )
  })
).pipe(Command.withDescription("Copy a stopped SQLite relay's database into an empty PostgreSQL database"))

const account = Command.make("account").pipe(
  Command.withDescription("Operator commands on the relay's database"),
  Command.withSubcommands([list, disable])
)

export const relayCommand = relay.pipe(Command.withSubcommands([account, migrateToPg]))

/**
 * The relay's composition, in this file: the process's services here (Node's file system and paths, the JSON-lines
 * logger, node:crypto), the server's (database, waiters, rate limits, HTTP server) in the `relay` command above,
 * from its options.
 */
export const RelayProcessLayer = Layer.mergeAll(NodeContext.layer, NodeRelay.layerLogger, NodeCloudCrypto.layer)

/** The relay's command line; `argv` is the full process argv with `relay` as its first argument. */
export const cli = (version: string) => Command.run(relayCommand, { name: "session-bridge relay", version })
