import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { BridgeFailure } from "../domain/Errors.js"
import { chooseHome } from "../services/Home.js"
import type { HostEnvShape } from "../services/HostEnv.js"

/**
 * Resolves the home directory and performs the one-time copy of a legacy ~/.amc-bridge:
 * contents copied with 0700/0600 modes, and a `.migrated-to` pointer left in the old directory.
 */
export const resolveHomeAndMigrate = (env: HostEnvShape): Effect.Effect<string, BridgeFailure> =>
  Effect.gen(function* () {
    const legacy = join(env.home, ".amc-bridge")
    const target = join(env.home, ".session-bridge")
    const choice = yield* chooseHome(env, existsSync(legacy), existsSync(target))
    if (Option.isNone(choice.migrateFrom)) return choice.home
    const from = choice.migrateFrom.value
    yield* Effect.try(() => {
      const staging = `${target}.migrating-${process.pid}`
      cpSync(from, staging, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
      const tighten = (p: string) => {
        const st = lstatSync(p)
        if (st.isSymbolicLink()) return
        chmodSync(p, st.isDirectory() ? 0o700 : 0o600)
        if (st.isDirectory()) for (const n of readdirSync(p)) tighten(join(p, n))
      }
      tighten(staging)
      renameSync(staging, target)
      writeFileSync(join(from, ".migrated-to"), target + "\n", { mode: 0o600 })
    }).pipe(
      Effect.tap(() => Effect.logInfo(`migrated ${from} to ${target}`)),
      Effect.catchAll((error) =>
        Effect.logWarning(`migration from ${from} failed; using ${target}: ${String(error.error)}`)
      )
    )
    return choice.home
  })
