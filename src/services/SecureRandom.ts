import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** Crypto-strength randomness, for secrets such as the dashboard token. Effect's Random is not. */
export class SecureRandom extends Context.Tag("session-bridge/SecureRandom")<
  SecureRandom,
  { readonly bytes: (n: number) => Effect.Effect<Uint8Array> }
>() {}

/** A fixed byte source for tests: every call returns `fill` repeated. */
export const layerFixed = (fill: number): Layer.Layer<SecureRandom> =>
  Layer.succeed(SecureRandom, { bytes: (n) => Effect.succeed(new Uint8Array(n).fill(fill)) })

/** A url-safe token: `bytes` random bytes as lowercase hex. */
export const token = (bytes = 24): Effect.Effect<string, never, SecureRandom> =>
  Effect.map(
    Effect.flatMap(SecureRandom, (r) => r.bytes(bytes)),
    (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
  )
