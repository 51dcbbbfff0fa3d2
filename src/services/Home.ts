import * as Option from "effect/Option"
import type { HostEnvShape } from "./HostEnv.js"

export interface HomeChoice {
  /** The directory all state lives in. */
  readonly home: string
  /** The legacy ~/.amc-bridge to copy from, when a first-run migration is due. */
  readonly migrateFrom: Option.Option<string>
}

export const LEGACY_DIR = ".amc-bridge"
export const HOME_DIR = ".session-bridge"

/**
 * Where state lives: $SESSION_BRIDGE_HOME, else ~/.session-bridge. With SESSION_BRIDGE_MIGRATE=0 an existing
 * ~/.amc-bridge is used in place; otherwise it is copied once (the caller checks that it exists).
 */
export const chooseHome = (env: HostEnvShape, legacyExists: boolean, homeExists: boolean): HomeChoice => {
  const explicit = env.get("SESSION_BRIDGE_HOME")
  if (Option.isSome(explicit)) return { home: explicit.value, migrateFrom: Option.none() }
  const home = `${env.home}/${HOME_DIR}`
  const legacy = `${env.home}/${LEGACY_DIR}`
  if (!legacyExists) return { home, migrateFrom: Option.none() }
  if (Option.contains(env.get("SESSION_BRIDGE_MIGRATE"), "0")) return { home: legacy, migrateFrom: Option.none() }
  return { home, migrateFrom: homeExists ? Option.none() : Option.some(legacy) }
}
