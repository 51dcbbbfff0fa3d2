import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HostEnv } from "../services/HostEnv.js"
import { CloudNotConfigured } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import { queued } from "./Outbox.js"
import { RelayClient } from "./RelayClient.js"

export interface CloudStatus {
  readonly handle: string
  readonly accountId: string
  readonly relayUrl: string
  readonly relay: { readonly reachable: boolean; readonly error?: string | undefined }
  readonly daemon: { readonly running: boolean; readonly pid?: number | undefined }
  readonly contacts: ReadonlyArray<{ readonly handle: string; readonly state: string }>
  readonly queued: number
}

/** `cloud status`: the account, whether the relay answers (and accepts the token), the daemon, contacts, queue. */
export const status = Effect.gen(function* () {
  const home = yield* CloudHome
  const credentials = yield* home.credentials
  if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
  const c = credentials.value
  const relay = yield* RelayClient
  const reached = yield* Effect.either(relay.contacts(c.token))
  const pid = yield* home.daemonPid
  const host = yield* HostEnv
  const running = Option.isSome(pid) && host.isPidAlive(pid.value.pid)
  return {
    handle: c.handle,
    accountId: c.accountId,
    relayUrl: c.relayUrl,
    relay:
      reached._tag === "Right"
        ? { reachable: true }
        : {
            reachable: reached.left._tag !== "RelayUnreachable",
            error: `${reached.left.code}: ${reached.left.message}`
          },
    daemon: running ? { running: true, pid: pid.value.pid } : { running: false },
    contacts: (yield* home.contacts).map((x) => ({ handle: x.handle, state: x.state })),
    queued: (yield* queued).length
  } satisfies CloudStatus
})

/** `cloud logout`: revokes the token at the relay (best effort when it is unreachable), then forgets it. */
export const logout = Effect.gen(function* () {
  const home = yield* CloudHome
  const credentials = yield* home.credentials
  if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
  const revoked = yield* Effect.either((yield* RelayClient).logout(credentials.value.token))
  yield* home.removeCredentials
  return {
    handle: credentials.value.handle,
    revokedAtRelay: revoked._tag === "Right" || revoked.left._tag === "RelayAuth",
    ...(revoked._tag === "Left" && revoked.left._tag !== "RelayAuth" ? { error: revoked.left.message } : {})
  }
})
