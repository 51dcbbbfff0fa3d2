import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * How many sends are on their way to the store: `POST /v1/messages` requests that started and have not yet handed
 * their envelope to the group commit (authentication, body, checks). The group-commit writer reads `count` to
 * decide whether waiting a moment fills its batch (docs/adr/0033-relay-batches-wait-for-arriving-sends.md).
 */
export interface SendsArrivingShape {
  /** Counts one more send as arriving (the handler calls `leave` once, just before it enqueues or when it fails). */
  readonly arrive: () => void
  readonly leave: () => void
  readonly count: () => number
}

export class SendsArriving extends Context.Tag("session-bridge/SendsArriving")<SendsArriving, SendsArrivingShape>() {}

export const make = Effect.sync((): SendsArrivingShape => {
  let arriving = 0
  return {
    arrive: () => {
      arriving++
    },
    leave: () => {
      arriving--
    },
    count: () => arriving
  }
})

export const layer: Layer.Layer<SendsArriving> = Layer.effect(SendsArriving, make)
