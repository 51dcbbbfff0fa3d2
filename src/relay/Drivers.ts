import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The packages the relay loads at run time: its database drivers and the Effect packages they share with it. The CLI's bundle holds none of them; the relay's bundle leaves them external, and
 * the published package declares them as optional peer dependencies, so a CLI-only install has none
 * (docs/adr/0020-runtime-free-install.md). Versions are the ones the relay is tested with (package.json).
 */
export type RelayDatabase = "sqlite" | "postgres"

export interface RelayDriver {
  readonly name: string
  readonly version: string
  readonly databases: ReadonlyArray<RelayDatabase>
}

export const relayDrivers: ReadonlyArray<RelayDriver> = [
  { name: "@effect/sql", version: "0.52.1", databases: ["sqlite", "postgres"] },
  { name: "@effect/experimental", version: "0.61.1", databases: ["sqlite", "postgres"] },
  { name: "@effect/sql-sqlite-node", version: "0.53.0", databases: ["sqlite"] },
  { name: "better-sqlite3", version: "12.11.1", databases: ["sqlite"] },
  { name: "@effect/sql-pg", version: "0.53.0", databases: ["postgres"] },
  // The relay's bundle leaves every package external (the drivers must share one copy of effect with it), so the
  // Effect packages it imports are part of what a relay install needs.
  { name: "effect", version: "3.22.4", databases: ["sqlite", "postgres"] },
  { name: "@effect/platform", version: "0.97.2", databases: ["sqlite", "postgres"] },
  { name: "@effect/platform-node", version: "0.108.2", databases: ["sqlite", "postgres"] },
  { name: "@effect/cli", version: "0.77.2", databases: ["sqlite", "postgres"] }
]

/** The command that installs `drivers` beside a global install of session-bridge. */
export const installCommand = (drivers: ReadonlyArray<{ readonly name: string; readonly version: string }>): string =>
  `npm install -g ${drivers.map((d) => `${d.name}@${d.version}`).join(" ")}`

const MissingDriver = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  /** Why it cannot be loaded: "not installed", or the loader's own message when it is there but fails to load. */
  reason: Schema.String
})

/** One or more of the relay's database packages cannot be loaded: the relay cannot start. */
export class RelayDriverMissing extends Schema.TaggedError<RelayDriverMissing>()("RelayDriverMissing", {
  missing: Schema.Array(MissingDriver)
}) {
  get code(): "RELAY_DRIVER_MISSING" {
    return "RELAY_DRIVER_MISSING"
  }
  override get message(): string {
    const each = this.missing.map((d) => (d.reason === "not installed" ? d.name : `${d.name} (${d.reason})`))
    return `the relay needs database packages that a CLI-only install leaves out; missing: ${each.join(", ")}`
  }
  get hint(): string {
    return (
      `install them where session-bridge is installed: ${installCommand(this.missing)} ` +
      "(without -g for a project-local install), or run the relay from its Docker image"
    )
  }
  override toJSON() {
    return { code: this.code, message: this.message, hint: this.hint }
  }
}

/** Loads one package by name; the default is Node's own `import()`, resolved from the relay's bundle. */
export type Loader = (name: string) => Promise<unknown>

const nodeImport: Loader = (name) => import(name)

const notFound = (cause: unknown): boolean => {
  const code = (cause as { code?: unknown } | null)?.code
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND"
}

const reasonOf = (cause: unknown): string =>
  notFound(cause) ? "not installed" : cause instanceof Error ? cause.message : String(cause)

/**
 * Succeeds when every package `databases` need loads; otherwise fails with `RELAY_DRIVER_MISSING` naming each one
 * that does not and the install command. The relay entry runs it before it imports the module that imports the
 * drivers, so a missing package is this error and not a stack trace from the module loader.
 */
export const checkRelayDrivers = (
  databases: ReadonlyArray<RelayDatabase> = ["sqlite", "postgres"],
  load: Loader = nodeImport
): Effect.Effect<void, RelayDriverMissing> =>
  Effect.forEach(
    relayDrivers.filter((d) => d.databases.some((db) => databases.includes(db))),
    (driver) =>
      Effect.tryPromise({ try: () => load(driver.name), catch: reasonOf }).pipe(
        Effect.as([]),
        Effect.catchAll((reason) => Effect.succeed([{ name: driver.name, version: driver.version, reason }]))
      ),
    { concurrency: "unbounded" }
  ).pipe(
    Effect.flatMap((results) => {
      const missing = results.flat()
      return missing.length === 0 ? Effect.void : Effect.fail(new RelayDriverMissing({ missing }))
    })
  )
