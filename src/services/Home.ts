import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { HomeInvalid } from "../domain/Errors.js"
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
 * Where state lives: $SESSION_BRIDGE_HOME (absolute), else ~/.session-bridge. With SESSION_BRIDGE_MIGRATE=0 an existing
 * ~/.amc-bridge is used in place; otherwise it is copied once (the caller checks that it exists).
 */
/**
 * SESSION_BRIDGE_HOME when set: it must be absolute (a relative one would name a different folder in every
 * working directory). HOME_INVALID otherwise.
 */
export const explicitHome = (env: HostEnvShape): Either.Either<Option.Option<string>, HomeInvalid> => {
  const explicit = env.get("SESSION_BRIDGE_HOME")
  if (Option.isNone(explicit) || explicit.value.startsWith("/")) return Either.right(explicit)
  return Either.left(
    new HomeInvalid({
      message: `SESSION_BRIDGE_HOME must be an absolute path, got ${JSON.stringify(explicit.value.slice(0, 200))}`,
      hint: "Set it to an absolute path (e.g. $HOME/.session-bridge), or unset it to use ~/.session-bridge."
    })
  )
}

export const chooseHome = (
  env: HostEnvShape,
  legacyExists: boolean,
  homeExists: boolean
): Either.Either<HomeChoice, HomeInvalid> =>
  Either.map(explicitHome(env), (explicit) => choose(env, explicit, legacyExists, homeExists))

const choose = (
  env: HostEnvShape,
  explicit: Option.Option<string>,
  legacyExists: boolean,
  homeExists: boolean
): HomeChoice => {
  if (Option.isSome(explicit)) return { home: explicit.value, migrateFrom: Option.none() }
  const home = `${env.home}/${HOME_DIR}`
  const legacy = `${env.home}/${LEGACY_DIR}`
  if (!legacyExists) return { home, migrateFrom: Option.none() }
  if (Option.contains(env.get("SESSION_BRIDGE_MIGRATE"), "0")) return { home: legacy, migrateFrom: Option.none() }
  return { home, migrateFrom: homeExists ? Option.none() : Option.some(legacy) }
}
