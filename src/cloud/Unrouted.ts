import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Envelopes } from "../bridge/Envelopes.js"
import { Sessions } from "../bridge/Sessions.js"
import { Layout } from "../domain/Layout.js"
import { Store } from "../services/store/Store.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { UnroutedMessage } from "./CloudState.js"
import { matchSession } from "./RemoteDelivery.js"

const decode = Schema.decodeUnknownOption(Schema.parseJson(UnroutedMessage))

export interface UnroutedResult {
  readonly delivered: number
  readonly expired: number
  readonly dropped: number
  readonly held: number
}

/**
 * Delivers what `cloud/unrouted/` holds to the live sessions that now match (CLOUD.md 2.7): the hook or the daemon
 * calls it when a session registers or prompts. A message from a contact no longer active is dropped; one past
 * its 7 days is dropped. Delivery is create-exclusive under the same local id, then the held copy is removed, so a
 * crash in between delivers nothing twice. An undecodable file is left where it is.
 */
export const deliverUnrouted = Effect.gen(function* () {
  const store = yield* Store
  const envelopes = yield* Envelopes
  const live = yield* (yield* Sessions).list()
  const contacts = yield* (yield* CloudHome).contacts
  const now = yield* Clock.currentTimeMillis
  const result = { delivered: 0, expired: 0, dropped: 0, held: 0 }
  const names = (yield* store.list(CloudLayout.unroutedDir)).filter((n) => n.endsWith(".json"))
  for (const name of names) {
    const path = `${CloudLayout.unroutedDir}/${name}`
    const held = Option.flatMap(yield* store.readText(path), decode)
    if (Option.isNone(held)) continue
    const m = held.value
    if (!contacts.some((c) => c.accountId === m.accountId && c.state === "active")) {
      yield* store.remove(path)
      result.dropped++
      continue
    }
    if (now > m.expiresAt) {
      yield* store.remove(path)
      result.expired++
      continue
    }
    const target = matchSession(live, m.to)
    if (Option.isNone(target)) {
      result.held++
      continue
    }
    const record = live.find((s) => s.record.sessionId === target.value)!.record
    const envelope = {
      ...m.envelope,
      to: [{ sessionId: record.sessionId, label: record.label, provider: record.provider }]
    }
    yield* envelopes.deliver(Layout.inboxMessage(target.value, m.envelope.id), envelope)
    yield* store.remove(path)
    result.delivered++
  }
  return result satisfies UnroutedResult
})
