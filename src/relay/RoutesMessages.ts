import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { MessageId } from "../domain/Ulid.js"
import { utf8 } from "../protocol/Bytes.js"
import { NotFound } from "./HttpErrors.js"
import { authenticatedId, json, param, wireAccountId } from "./Http.js"
import { ack, inbox, type MessageServices, messageServices, type Reply, send } from "./MessageHandlers.js"
import { RelayStore } from "./RelayStore.js"
import { currentView, type RequestView } from "./RequestView.js"

const isMessageId = Schema.is(MessageId)

/** A handler of MessageHandlers.ts on the current request, its reply as JSON. */
const routed = <E>(handler: (services: MessageServices, view: RequestView) => Effect.Effect<Reply, E>) =>
  Effect.flatMap(Effect.zip(messageServices, currentView), ([services, view]) =>
    Effect.map(handler(services, view), (r) => json(r.body, r.status))
  )

/** `GET /v1/sent/{id}`: the relay-level delivery state of a message this account sent. */
const sent = Effect.gen(function* () {
  const store = yield* RelayStore
  const accountId = yield* authenticatedId
  const id = yield* param("id", (text) => (isMessageId(text) ? Option.some(text) : Option.none()))
  const status = yield* store.getSentStatus(accountId, utf8(id))
  if (Option.isNone(status)) return yield* new NotFound({ what: "no message with that id was sent by this account" })
  const s = status.value
  return json({
    id,
    to: wireAccountId(s.recipientId),
    seq: s.seq,
    state: s.state,
    reason: s.reason,
    updatedAt: s.updatedAt
  })
})

export const messageRoutes = HttpRouter.empty.pipe(
  HttpRouter.post("/v1/messages", routed(send)),
  HttpRouter.get("/v1/inbox", routed(inbox)),
  HttpRouter.post("/v1/inbox/ack", routed(ack)),
  HttpRouter.get("/v1/sent/:id", sent)
)
