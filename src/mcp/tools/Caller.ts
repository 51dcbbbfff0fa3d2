import * as Effect from "effect/Effect"
import { CurrentSession } from "../../bridge/CurrentSession.js"

/** The session the tool call acts for. */
export const caller = Effect.flatMap(CurrentSession, (c) => c.get)
