import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { parseCanonicalJson } from "../protocol/CanonicalJson.js"
import { toBase64Url } from "../protocol/Bytes.js"
import { Handle } from "../protocol/WireSchemas.js"
import * as Schema from "effect/Schema"
import { authenticated, json, param, wireAccountId } from "./Http.js"
import { NotAContact } from "./RelayErrors.js"
import { type Account, RelayStore } from "./RelayStore.js"

const isHandle = Schema.is(Handle)
const handleParam = param("handle", (text) => (isHandle(text) ? Option.some(text) : Option.none()))

/** The peer named in the path; an unknown handle is `NOT_A_CONTACT` (a contact call never confirms a handle). */
const peer = Effect.gen(function* () {
  const store = yield* RelayStore
  const found = yield* store.getAccountByHandle(yield* handleParam)
  if (Option.isNone(found)) return yield* new NotAContact()
  return found.value
})

const publicKeys = (account: Account) => ({
  ikPub: toBase64Url(account.ikPub),
  ek: Option.getOrNull(parseCanonicalJson(account.ekRecord))
})

/** `GET /v1/contacts`: every contact with its state, identity key and current signed encryption-key record. */
const list = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const contacts = yield* store.listContacts(account.id)
  const rows = yield* Effect.forEach(contacts, (c) =>
    Effect.map(store.getAccount(c.peerId), (other) => ({
      accountId: wireAccountId(c.peerId),
      handle: c.peerHandle,
      state: c.state,
      createdAt: c.createdAt,
      acceptedAt: c.acceptedAt,
      revokedAt: c.revokedAt,
      lastSeen: Option.match(other, { onNone: () => null, onSome: (o) => o.lastSeen }),
      ...Option.match(other, { onNone: () => ({ ikPub: null, ek: null }), onSome: publicKeys })
    }))
  )
  return json({ contacts: rows })
})

/** `POST /v1/contacts/{handle}/accept`: the inviter accepts the redeemer of its invite. */
const accept = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const other = yield* peer
  const contact = yield* store.acceptContact(account.id, other.id)
  yield* store.audit(account.id, "contact_accepted", wireAccountId(other.id))
  return json({ accountId: wireAccountId(other.id), handle: other.handle, state: contact.state, ...publicKeys(other) })
})

/** `POST /v1/contacts/{handle}/revoke`: either side; unfetched mail, blob grants and presence go in one transaction. */
const revoke = Effect.gen(function* () {
  const store = yield* RelayStore
  const account = yield* authenticated
  const other = yield* peer
  const { deletedMessages } = yield* store.revokeContact(account.id, other.id)
  yield* store.audit(account.id, "contact_revoked", wireAccountId(other.id))
  return json({ state: "revoked", deletedMessages })
})

export const contactRoutes = HttpRouter.empty.pipe(
  HttpRouter.get("/v1/contacts", list),
  HttpRouter.post("/v1/contacts/:handle/accept", accept),
  HttpRouter.post("/v1/contacts/:handle/revoke", revoke)
)
