import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import { CROCKFORD, encodeTime } from "../domain/Ulid.js"

/** Monotonic ULIDs from Effect's Clock and Random: deterministic under TestClock and a seeded Random. */
export class Ids extends Context.Tag("session-bridge/Ids")<Ids, { readonly next: Effect.Effect<string> }>() {}

const increment = (chars: Array<number>): Array<number> => {
  const out = [...chars]
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 31) {
      out[i] = out[i]! + 1
      return out
    }
    out[i] = 0
  }
  return out
}

export const make = Effect.gen(function* () {
  const last = yield* Ref.make<{ time: number; random: Array<number> }>({ time: -1, random: [] })
  const next = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const fresh: Array<number> = []
    for (let i = 0; i < 16; i++) fresh.push(yield* Random.nextIntBetween(0, 32))
    const state = yield* Ref.updateAndGet(last, (prev) =>
      now <= prev.time ? { time: prev.time, random: increment(prev.random) } : { time: now, random: fresh }
    )
    return encodeTime(state.time) + state.random.map((i) => CROCKFORD[i]).join("")
  })
  return Ids.of({ next })
})

export const layer: Layer.Layer<Ids> = Layer.effect(Ids, make)
