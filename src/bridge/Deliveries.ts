import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Layout } from "../domain/Layout.js"
import type { MessageEnvelope } from "../domain/Records.js"
import { Store } from "../services/store/Store.js"
import { type Delivery, RemoteSends } from "./RemoteSends.js"

/*
 * The delivery state of a direct message, as its sender sees it (CONTRACT.md "Delivery state"): a message to a
 * contact has the state the cloud layer recorded (queued ... read, expired, refused); a local one is delivered as
 * soon as it is stored, surfaced once the recipient's hook showed it (or a wait returned it), read once marked.
 * Other readers, channel messages and broadcasts have none.
 */
export const deliveryOf = (viewer: string, envelope: MessageEnvelope) =>
  Effect.gen(function* () {
    const recipient = envelope.to[0]
    if (envelope.from.sessionId !== viewer || envelope.kind !== "direct" || recipient === undefined)
      return Option.none<Delivery>()
    if (recipient.contact !== undefined) return yield* (yield* RemoteSends).delivery(envelope.id)
    const store = yield* Store
    const [read, surfaced] = yield* Effect.all([
      store.stat(Layout.readMarker(recipient.sessionId, envelope.id)),
      store.stat(Layout.surfacedMarker(recipient.sessionId, envelope.id))
    ])
    if (Option.isSome(read)) return Option.some<Delivery>({ state: "read", at: read.value.mtimeMs })
    if (Option.isSome(surfaced)) return Option.some<Delivery>({ state: "surfaced", at: surfaced.value.mtimeMs })
    return Option.some<Delivery>({ state: "delivered", at: envelope.createdAt.epochMillis })
  })

/** The envelope with its `delivery` when the viewer sent it. */
export const withDelivery = <E extends MessageEnvelope>(viewer: string, envelope: E) =>
  Effect.map(deliveryOf(viewer, envelope), (d) =>
    Option.match(d, { onNone: () => envelope, onSome: (delivery) => ({ ...envelope, delivery }) })
  )
