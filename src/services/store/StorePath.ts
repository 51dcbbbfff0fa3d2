import * as Effect from "effect/Effect"
import { StoreError } from "../../domain/Errors.js"
import { isSafeSegment } from "../../domain/Names.js"

/** Splits and validates a relative store path; fails with InvalidPath for anything hostile. */
export const segments = (path: string): Effect.Effect<ReadonlyArray<string>, StoreError> => {
  if (path.startsWith("/") || path.length === 0) return Effect.fail(new StoreError({ reason: "InvalidPath", path }))
  const parts = path.split("/")
  return parts.every((p) => isSafeSegment(p, 255))
    ? Effect.succeed(parts)
    : Effect.fail(new StoreError({ reason: "InvalidPath", path }))
}

/** Same check for a directory path, where "" means the root. */
export const dirSegments = (dir: string): Effect.Effect<ReadonlyArray<string>, StoreError> =>
  dir === "" ? Effect.succeed([]) : segments(dir)

export const join = (...parts: ReadonlyArray<string>): string => parts.filter((p) => p !== "").join("/")
