import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { toBase64Url } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { RelayStore } from "./RelayStore.js"

export const isLoopback = (address: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(address)

/** The file beside a SQLite database that keeps a generated code. */
export const CODE_FILE = "registration-code"
/** The `meta` key that keeps a generated code on PostgreSQL, where every replica must accept the same one. */
export const CODE_SETTING = "registration_code"

export interface CodeChoice {
  readonly given: Option.Option<string>
  readonly open: boolean
  readonly host: string
  /** The SQLite database's folder, or none on PostgreSQL (the code is kept in the database). */
  readonly dir: Option.Option<string>
}

/** Whether registration will need a code (known before any code is read or made). */
export const needsCode = (choice: CodeChoice): boolean =>
  Option.isSome(choice.given) || !(choice.open || isLoopback(choice.host))

/** A code made here, and where it is kept (printed once, by the start that made it). */
export interface Chosen {
  readonly code: Option.Option<string>
  readonly generatedIn: Option.Option<string>
}

const fresh = Effect.flatMap(CloudCrypto, (crypto) => Effect.map(crypto.randomBytes(18), toBase64Url))

/** SQLite: the code kept next to the database file, made at first start (0600, written aside then renamed). */
const inFile = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.join(dir, CODE_FILE)
    if (yield* fs.exists(file)) {
      const kept = (yield* fs.readFileString(file)).trim()
      if (kept !== "") return { code: Option.some(kept), generatedIn: Option.none<string>() }
    }
    const code = yield* fresh
    yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 })
    const tmp = `${file}.tmp-${code.slice(0, 6)}`
    yield* fs.writeFileString(tmp, `${code}\n`, { mode: 0o600 })
    yield* fs.rename(tmp, file)
    return { code: Option.some(code), generatedIn: Option.some(file) }
  })

/**
 * PostgreSQL: one code for every replica, in the shared `meta` table. Replicas starting together each offer a
 * candidate; the first stored wins, and only the replica that stored it prints it.
 */
const inDatabase = Effect.gen(function* () {
  const kept = yield* (yield* RelayStore).claimSetting(CODE_SETTING, yield* fresh)
  return {
    code: Option.some(kept.value),
    generatedIn: kept.created ? Option.some(`the database (meta table, key ${CODE_SETTING})`) : Option.none<string>()
  }
})

/**
 * The code registration needs: the one given; on loopback or with `--open-registration` none; otherwise the one the
 * relay keeps (next to the SQLite file, or in the PostgreSQL database), made at its first start.
 */
export const choose = (choice: CodeChoice) =>
  Effect.gen(function* () {
    if (Option.isSome(choice.given)) return { code: choice.given, generatedIn: Option.none<string>() }
    if (!needsCode(choice)) return { code: Option.none<string>(), generatedIn: Option.none<string>() }
    return yield* Option.match(choice.dir, { onNone: () => inDatabase, onSome: inFile })
  })

/** The once-only log line for a code this start generated. */
export const notice = (chosen: Chosen): Effect.Effect<void> =>
  Option.isSome(chosen.generatedIn) && Option.isSome(chosen.code)
    ? Effect.logWarning("registration_code_generated").pipe(
        Effect.annotateLogs({
          code: chosen.code.value,
          file: chosen.generatedIn.value,
          note: "registration on this relay needs this code; it is printed once"
        })
      )
    : Effect.void
