import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { BodyTooLarge, type BridgeFailure } from "../domain/Errors.js"

/** Standard input as the CLI uses it: the message body of `send-message … < file`. */
export interface StdinShape {
  /** True when stdin is a terminal (then nothing is read from it). */
  readonly isTTY: boolean
  /** The whole input as UTF-8; BODY_TOO_LARGE past `maxBytes`. */
  readonly readAll: (maxBytes: number) => Effect.Effect<string, BridgeFailure>
}

export class Stdin extends Context.Tag("session-bridge/Stdin")<Stdin, StdinShape>() {}

export const tooLarge = (maxBytes: number) => new BodyTooLarge({ source: "stdin", limit: maxBytes })

/** A fixed input for tests; `Option.none()` behaves as a terminal. */
export const layerMemory = (input: Option.Option<string>): Layer.Layer<Stdin> =>
  Layer.succeed(Stdin, {
    isTTY: Option.isNone(input),
    readAll: (maxBytes) => {
      const text = Option.getOrElse(input, () => "")
      return new TextEncoder().encode(text).length > maxBytes ? Effect.fail(tooLarge(maxBytes)) : Effect.succeed(text)
    }
  })
