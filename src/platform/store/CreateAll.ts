import { linkSync } from "node:fs"
import { dirname } from "node:path"
import * as Either from "effect/Either"
import type { SpareTempFiles } from "../TempFile.js"
import { unlinkQuietly } from "../TempFile.js"
import { code, placeBeforeSync } from "./SafeFile.js"

/** Links a written temp file to a fresh name: false when the name is taken (EEXIST). */
export const linkFresh = (tmp: string, file: string): boolean => {
  try {
    linkSync(tmp, file)
    return true
  } catch (error) {
    if (code(error) === "EEXIST") return false
    throw error
  }
}

/**
 * The store's `createExclusiveAll` on real files: each file is written and linked under its fresh name in turn
 * (`prepare(i)` checks and creates its folders and names it; it may throw), stopping at the first name taken; then
 * every fsync started is waited for, together. On any failure the files this call created are removed again (best
 * effort) and the first failure is answered: none of them stays. Never rejects. `spares`: temp files made ahead.
 */
export const createAllFresh = async <E>(
  count: number,
  prepare: (i: number) => { readonly file: string; readonly data: Uint8Array | string },
  failureOf: (i: number, cause: unknown) => E,
  spares?: SpareTempFiles
): Promise<Either.Either<ReadonlyArray<boolean>, E>> => {
  const created: Array<boolean> = []
  const files: Array<string> = []
  const flushes: Array<Promise<void>> = []
  let failure: E | undefined
  for (let i = 0; i < count; i++) {
    try {
      const { file, data } = prepare(i)
      const { placed, synced } = placeBeforeSync(dirname(file), data, (tmp) => linkFresh(tmp, file), spares)
      created.push(placed)
      files.push(file)
      flushes.push(synced.catch((cause) => void (failure ??= failureOf(i, cause))))
      if (!placed) break
    } catch (cause) {
      failure = failureOf(i, cause)
      break
    }
  }
  // Every flush started is waited for, even after a failure: nothing is left running behind the answer.
  await Promise.all(flushes)
  if (failure === undefined) return Either.right(created)
  created.forEach((placed, i) => {
    if (!placed) return
    try {
      unlinkQuietly(files[i]!)
    } catch {
      // The failure being answered is the one that matters.
    }
  })
  return Either.left(failure)
}
