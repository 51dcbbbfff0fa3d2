import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { toBase64Url } from "../protocol/Bytes.js"
import { CloudCrypto } from "../protocol/CloudCrypto.js"
import { CloudNotConfigured } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import type { Credentials } from "./CloudState.js"
import { RelayClient } from "./RelayClient.js"

/*
 * `cloud token rotate` (CLOUD.md 2.10, docs/cloud-client.md "Token rotation"). The new token is made here (32 random
 * bytes) and written to credentials.json as `pendingToken` before the relay hears of it; the relay stores its hash
 * and revokes the old one in one transaction; then `token` becomes the new one. A crash before the relay's commit
 * leaves the old token live and the same pending token to send again; a crash after it leaves the old token 401 and
 * the pending one live, which the next `cloud token rotate` or the daemon (on its next 401) adopts.
 */

const requireCredentials = Effect.gen(function* () {
  const credentials = yield* (yield* CloudHome).credentials
  if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
  return credentials.value
})

/** Makes the pending token the live one (atomically: credentials.json is replaced as a whole). */
const promote = (credentials: Credentials, token: string) =>
  Effect.gen(function* () {
    const { pendingToken: _pending, ...rest } = credentials
    const promoted: Credentials = { ...rest, token, tokenRotatedAt: yield* Clock.currentTimeMillis }
    yield* (yield* CloudHome).writeCredentials(promoted)
    return promoted
  })

/** True when the relay accepts `token` (any other answer, including no answer, is false). */
const live = (token: string) => Effect.flatMap(RelayClient, (relay) => Effect.isSuccess(relay.contacts(token)))

export const rotateToken = Effect.gen(function* () {
  const home = yield* CloudHome
  const relay = yield* RelayClient
  let credentials = yield* requireCredentials
  const resumed = credentials.pendingToken !== undefined
  const pending = credentials.pendingToken ?? toBase64Url(yield* (yield* CloudCrypto).randomBytes(32))
  if (!resumed) {
    credentials = { ...credentials, pendingToken: pending }
    yield* home.writeCredentials(credentials)
  }
  const asked = yield* Effect.either(relay.rotateToken(credentials.token, pending))
  // A 401 may mean an earlier attempt was committed and then interrupted: the pending token then answers.
  if (asked._tag === "Left" && !(asked.left._tag === "RelayAuth" && resumed && (yield* live(pending))))
    return yield* asked.left
  const promoted = yield* promote(credentials, pending)
  return { handle: promoted.handle, rotatedAt: promoted.tokenRotatedAt ?? 0, resumed }
})

/**
 * After a 401 with `used`: true when credentials.json now holds another live token (a `cloud token rotate` ran
 * meanwhile, or its pending token was committed and is adopted here), so the caller goes on with the new one.
 */
export const tokenReplaced = (used: string) =>
  Effect.gen(function* () {
    const credentials = yield* (yield* CloudHome).credentials
    if (Option.isNone(credentials)) return false
    if (credentials.value.token !== used) return true
    const pending = credentials.value.pendingToken
    if (pending === undefined || !(yield* live(pending))) return false
    yield* promote(credentials.value, pending)
    return true
  })
