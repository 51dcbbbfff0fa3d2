import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { HostEnv } from "../services/HostEnv.js"

/**
 * A progress line on stderr for commands that take seconds (doctor, list-providers), shown only when stderr is a
 * terminal: piped or captured output gets nothing extra.
 */
export const progress = (text: string): Effect.Effect<void, never, HostEnv> =>
  Effect.flatMap(HostEnv, (env) => (env.stderrIsTTY === true ? Console.error(`… ${text}`) : Effect.void))
