import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { InvalidName } from "../domain/Errors.js"
import { isSafeSegment } from "../domain/Names.js"
import { ProviderId } from "../domain/Records.js"
import { SessionId } from "../domain/Ulid.js"
import { UtcTime } from "../domain/UtcTime.js"
import { sha256Hex } from "./Hash.js"

/** pointers/<key>.json — which bridge session a host session, host process or cwd belongs to. */
export const Pointer = Schema.Struct({
  v: Schema.Literal(1),
  sessionId: SessionId,
  provider: Schema.optional(ProviderId),
  hostSessionId: Schema.optional(Schema.String),
  cwd: Schema.optional(Schema.String),
  pid: Schema.optional(Schema.Number),
  updatedAt: UtcTime
})
export type Pointer = typeof Pointer.Type

export interface PointerInput {
  readonly sessionId: SessionId
  readonly provider?: ProviderId | undefined
  readonly hostSessionId?: string | undefined
  readonly cwd?: string | undefined
  readonly pid?: number | undefined
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** A pointer key that is always one safe path segment: kept as is when safe, else hashed. */
export const safePointerKey = (raw: string): Effect.Effect<string> =>
  KEY_RE.test(raw) && isSafeSegment(raw) ? Effect.succeed(raw) : Effect.map(sha256Hex(raw), (h) => `h-${h}`)

export const pointerKeys = {
  host: (provider: ProviderId, hostSessionId: string) => safePointerKey(`${provider}-${hostSessionId}`),
  pid: (provider: ProviderId, pid: number) => safePointerKey(`${provider}-pid-${pid}`),
  cwd: (cwd: string) => Effect.map(sha256Hex(normalizeCwd(cwd)), (h) => `cwd-${h}`)
}

export const normalizeCwd = (cwd: string): string => (cwd.length > 1 ? cwd.replace(/\/+$/, "") : cwd)

export const checkPointerKey = (key: string) =>
  KEY_RE.test(key) && isSafeSegment(key)
    ? Effect.void
    : Effect.fail(
        new InvalidName({
          message: `invalid pointer key ${JSON.stringify(key.slice(0, 80))}`,
          hint: "Build keys with pointerKeys."
        })
      )

export const pointerRecord = (p: PointerInput) =>
  Effect.map(DateTime.now, (updatedAt) =>
    Pointer.make({
      v: 1,
      sessionId: p.sessionId,
      ...(p.provider !== undefined ? { provider: p.provider } : {}),
      ...(p.hostSessionId !== undefined ? { hostSessionId: p.hostSessionId } : {}),
      ...(p.cwd !== undefined ? { cwd: normalizeCwd(p.cwd) } : {}),
      ...(p.pid !== undefined ? { pid: p.pid } : {}),
      updatedAt
    })
  )
