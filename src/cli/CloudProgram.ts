import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import type { Handle } from "../protocol/WireSchemas.js"
import type { HostEnv } from "../services/HostEnv.js"
import type { Store } from "../services/store/Store.js"
import { CloudNotConfigured } from "../cloud/CloudErrors.js"
import * as CloudHome from "../cloud/CloudHome.js"
import * as HttpRelayClient from "../cloud/HttpRelayClient.js"
import { register } from "../cloud/Register.js"
import { rotateIdentity } from "../cloud/IdentityRotation.js"
import { logout, status } from "../cloud/Status.js"
import { rotateToken } from "../cloud/TokenRotation.js"

/*
 * The `cloud` commands' programs on the real machine: node:crypto, the Node HTTP client, the cloud state on the
 * CLI's Store. Loaded by src/cli/Cloud.ts with a dynamic import, so no other command loads the cloud layer.
 */

const Local = CloudHome.layer.pipe(Layer.provideMerge(NodeCloudCrypto.layer))
const relayAt = (url: string) => HttpRelayClient.layer(url).pipe(Layer.provide(NodeHttpClient.layer))

/** The relay named in this home's credentials. */
const withRelay = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const credentials = yield* (yield* CloudHome.CloudHome).credentials
    if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
    return yield* Effect.provide(program, relayAt(credentials.value.relayUrl))
  })

type Needs = Store | HostEnv

export const runRegister = (input: {
  readonly relayUrl: string
  readonly handle: Handle
  readonly registrationCode?: string | undefined
}) =>
  Effect.provide(Effect.provide(register(input), relayAt(input.relayUrl)), Local) satisfies Effect.Effect<
    unknown,
    unknown,
    Needs
  >

export const runStatus = Effect.provide(withRelay(status), Local) satisfies Effect.Effect<unknown, unknown, Needs>

export const runLogout = Effect.provide(withRelay(logout), Local) satisfies Effect.Effect<unknown, unknown, Needs>

export const runTokenRotate = Effect.provide(withRelay(rotateToken), Local) satisfies Effect.Effect<
  unknown,
  unknown,
  Needs
>

export const runRotateIdentity = Effect.provide(withRelay(rotateIdentity), Local) satisfies Effect.Effect<
  unknown,
  unknown,
  Needs
>
