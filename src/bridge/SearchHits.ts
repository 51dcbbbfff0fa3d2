import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { StoreError } from "../domain/Errors.js"
import { plainEnvelope } from "../domain/PlainEnvelope.js"
import { MessageEnvelope } from "../domain/Records.js"
import { readJsonsIn } from "../services/store/Documents.js"
import type { StoreShape } from "../services/store/Store.js"
import { type IndexedMessage, indexedMessage } from "./SearchIndexFile.js"

/** An entry of a directory's index. */
export interface IndexHit {
  readonly dir: string
  readonly entry: IndexedMessage
}

/** The file an entry of `dir` stands for. */
export const messagePath = (dir: string, id: string) => `${dir}/${id}.json`

/**
 * Decodes the hits at `missing` (indexes into `hits`) from their files, in one store call. A hit whose file still
 * says what its entry holds is put into `out` (and into `decoded`, kept with its entry); the others, whose file
 * changed or went away since it was indexed, are answered by directory, for the index to follow them.
 */
export const decodeHits = (
  store: StoreShape,
  hits: ReadonlyArray<IndexHit>,
  missing: ReadonlyArray<number>,
  out: Array<Option.Option<MessageEnvelope>>,
  decoded: WeakMap<IndexedMessage, MessageEnvelope>
): Effect.Effect<Map<string, Array<string>>, StoreError> =>
  Effect.map(
    readJsonsIn(
      store,
      missing.map((i) => messagePath(hits[i]!.dir, hits[i]!.entry.id)),
      MessageEnvelope,
      plainEnvelope
    ),
    (found) => {
      const changed = new Map<string, Array<string>>()
      missing.forEach((i, k) => {
        const { dir, entry } = hits[i]!
        const fresh = Option.filter(found[k]!, (e) => e.id === entry.id)
        const now = Option.map(fresh, indexedMessage)
        if (
          Option.isSome(now) &&
          now.value.text === entry.text &&
          now.value.kind === entry.kind &&
          now.value.channel === entry.channel
        ) {
          decoded.set(entry, Option.getOrThrow(fresh))
          out[i] = fresh
        } else changed.set(dir, [...(changed.get(dir) ?? []), entry.id])
      })
      return changed
    }
  )
