import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { StoreError } from "../domain/Errors.js"
import type { MessageEnvelope } from "../domain/Records.js"
import type { EnvelopesShape } from "./Envelopes.js"

/**
 * The newest `n` envelopes of a directory, oldest first, reading only as many files as that takes: the listing is
 * sorted by name (an envelope file is `<id>.json`, a ULID), so the newest `n` names are read, and one that does not
 * decode (quarantined as it is read) makes room for the next older one.
 */
export const newestEnvelopes = (
  envelopes: EnvelopesShape,
  dir: string,
  n: number
): Effect.Effect<ReadonlyArray<MessageEnvelope>, StoreError> =>
  Effect.flatMap(envelopes.list(dir), (names) => {
    const newestFirst: Array<MessageEnvelope> = []
    let end = names.length
    const more: Effect.Effect<ReadonlyArray<MessageEnvelope>, StoreError> = Effect.suspend(() => {
      const paths: Array<string> = []
      while (end > 0 && newestFirst.length + paths.length < n) {
        const name = names[--end]!
        if (name.endsWith(".json")) paths.push(`${dir}/${name}`)
      }
      if (paths.length === 0) return Effect.succeed(newestFirst.reverse())
      return Effect.flatMap(envelopes.readMany(paths), (found) => {
        for (const e of found) if (Option.isSome(e)) newestFirst.push(e.value)
        return more
      })
    })
    return more
  })
