import * as Effect from "effect/Effect"
import { BodyTooLarge, InvalidArgument } from "../domain/Errors.js"
import { utf8Length } from "./Hash.js"
import { MAX_BODY_BYTES, MAX_LIST_LIMIT, MAX_SUBJECT_CHARS } from "./Limits.js"

/** A subject of 1-500 characters. */
export const checkSubject = (subject: string): Effect.Effect<string, InvalidArgument> =>
  subject.trim().length === 0
    ? Effect.fail(new InvalidArgument({ message: "subject is empty", hint: "Give the message a short subject line." }))
    : subject.length > MAX_SUBJECT_CHARS
      ? Effect.fail(
          new InvalidArgument({
            message: `subject is ${subject.length} characters; the limit is ${MAX_SUBJECT_CHARS}`,
            hint: "Put the details in the body."
          })
        )
      : Effect.succeed(subject)

/** A body of at most 64 KiB of UTF-8. */
export const checkBody = (body: string): Effect.Effect<string, BodyTooLarge> => {
  const size = utf8Length(body)
  return size > MAX_BODY_BYTES
    ? Effect.fail(new BodyTooLarge({ source: "body", size, limit: MAX_BODY_BYTES }))
    : Effect.succeed(body)
}

/** A list limit: a whole number from 1 to 1000, or the default. */
export const checkLimit = (limit: number | undefined, fallback: number): Effect.Effect<number, InvalidArgument> =>
  limit === undefined
    ? Effect.succeed(fallback)
    : Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIST_LIMIT
      ? Effect.succeed(limit)
      : Effect.fail(
          new InvalidArgument({
            message: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`,
            hint: "Omit it for the default."
          })
        )
