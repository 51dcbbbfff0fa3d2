import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeCloudCrypto from "../platform/NodeCloudCrypto.js"
import type { Handle } from "../protocol/WireSchemas.js"
import { requireAccount } from "../cloud/Account.js"
import { CloudNotConfigured } from "../cloud/CloudErrors.js"
import * as CloudHome from "../cloud/CloudHome.js"
import {
  acceptContact,
  addContact,
  createInvite,
  listContacts,
  revokeContact,
  verifyContact
} from "../cloud/Contacts.js"
import { type ContactSendInput, sendToContact } from "../cloud/ContactSend.js"
import * as HttpRelayClient from "../cloud/HttpRelayClient.js"
import { withdrawInvite } from "../cloud/InviteWithdraw.js"
import { contactSessions } from "../cloud/Presence.js"

/*
 * The `contact` commands' programs on the real machine: node:crypto, the Node HTTP client to the relay named in
 * this home's credentials, the cloud state on the CLI's Store. Loaded by src/cli/Contact.ts with a dynamic import.
 */

const Local = CloudHome.layer.pipe(Layer.provideMerge(NodeCloudCrypto.layer))

const withRelay = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.provide(
    Effect.gen(function* () {
      const credentials = yield* (yield* CloudHome.CloudHome).credentials
      if (Option.isNone(credentials)) return yield* new CloudNotConfigured({ detail: "this home has no cloud account" })
      return yield* Effect.provide(
        program,
        HttpRelayClient.layer(credentials.value.relayUrl).pipe(Layer.provide(NodeHttpClient.layer))
      )
    }),
    Local
  )

export const runInvite = withRelay(createInvite)
export const runUninvite = (code: string) => withRelay(withdrawInvite(code))
export const runAdd = (code: string) => withRelay(addContact(code))
export const runAccept = (handle: Handle) => withRelay(acceptContact(handle))
export const runRevoke = (handle: Handle) => withRelay(revokeContact(handle))
export const runList = withRelay(listContacts)
export const runVerify = (handle: string) => Effect.provide(verifyContact(handle), Local)
export const runSessions = withRelay(Effect.flatMap(requireAccount, contactSessions))
export const runSend = (input: ContactSendInput) => withRelay(sendToContact(input))
