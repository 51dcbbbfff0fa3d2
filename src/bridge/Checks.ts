import * as Effect from "effect/Effect"
import { type BridgeError, bridgeError } from "../domain/Errors.js"
import { utf8Length } from "./Hash.js"
import { MAX_BODY_BYTES, MAX_LIST_LIMIT, MAX_SUBJECT_CHARS } from "./Limits.js"

/** A subject of 1-500 characters. */
export const checkSubject = (subject: string): Effect.Effect<string, BridgeError> =>
  subject.trim().length === 0
    ? Effect.fail(bridgeError("INVALID_ARGUMENT", "subject is empty", "Give the message a short subject line."))
    : subject.length > MAX_SUBJECT_CHARS
      ? Effect.fail(
          bridgeError(
            "INVALID_ARGUMENT",
            `subject is ${subject.length} characters; the limit is ${MAX_SUBJECT_CHARS}`,
            "Put the details in the body."
          )
        )
      : Effect.succeed(subject)

/** A body of at most 64 KiB of UTF-8. */
export const checkBody = (body: string): Effect.Effect<string, BridgeError> => {
  const size = utf8Length(body)
  return size > MAX_BODY_BYTES
    ? Effect.fail(
        bridgeError(
          "BODY_TOO_LARGE",
          `body is ${size} bytes of UTF-8; the limit is ${MAX_BODY_BYTES}`,
          "Post the content with bridge_post_artifact and send its sha256 in artifacts."
        )
      )
    : Effect.succeed(body)
}

/** A list limit: a whole number from 1 to 1000, or the default. */
export const checkLimit = (limit: number | undefined, fallback: number): Effect.Effect<number, BridgeError> =>
  limit === undefined
    ? Effect.succeed(fallback)
    : Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIST_LIMIT
      ? Effect.succeed(limit)
      : Effect.fail(
          bridgeError(
            "INVALID_ARGUMENT",
            `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`,
            "Omit it for the default."
          )
        )
