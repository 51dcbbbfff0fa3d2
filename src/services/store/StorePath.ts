import * as Effect from "effect/Effect"
import { StoreError } from "../../domain/Errors.js"
import { isSafeSegment } from "../../domain/Names.js"

/** The segments of a relative store path, or undefined for anything hostile. */
export const segmentsOf = (path: string): ReadonlyArray<string> | undefined => {
  if (path.startsWith("/") || path.length === 0) return undefined
  const parts = path.split("/")
  return parts.every((p) => isSafeSegment(p, 255)) ? parts : undefined
}

/** Splits and validates a relative store path; fails with InvalidPath for anything hostile. */
export const segments = (path: string): Effect.Effect<ReadonlyArray<string>, StoreError> => {
  const parts = segmentsOf(path)
  return parts === undefined ? Effect.fail(new StoreError({ reason: "InvalidPath", path })) : Effect.succeed(parts)
}

/** Same check for a directory path, where "" means the root. */
export const dirSegments = (dir: string): Effect.Effect<ReadonlyArray<string>, StoreError> =>
  dir === "" ? Effect.succeed([]) : segments(dir)

export const join = (...parts: ReadonlyArray<string>): string => parts.filter((p) => p !== "").join("/")
