import * as Effect from "effect/Effect"
import { toBase64Url } from "../protocol/Bytes.js"
import { deriveInviteKeys } from "../protocol/Invite.js"
import { Store } from "../services/store/Store.js"
import { requireAccount } from "./Account.js"
import { CloudLayout } from "./CloudLayout.js"
import { inviteSecret } from "./Contacts.js"
import { RelayClient } from "./RelayClient.js"

/**
 * `contact uninvite <code>`: withdraws an invite of this account that nobody has had accepted yet. The relay deletes
 * it (`DELETE /v1/invites/{id}`; redeeming it afterwards is INVITE_INVALID) and its secret is removed from this home.
 * An invite already accepted, expired, withdrawn or not this account's is INVITE_INVALID; its secret is removed
 * all the same (it can no longer be used). When the relay cannot be reached nothing changes: run it again.
 */
export const withdrawInvite = (code: string) =>
  Effect.gen(function* () {
    const secret = yield* inviteSecret(code)
    const account = yield* requireAccount
    const store = yield* Store
    const { id } = yield* deriveInviteKeys(secret)
    const told = yield* Effect.either((yield* RelayClient).revokeInvite(account.credentials.token, id))
    // No answer (or a refusal of another kind): the invite may still be live, so its secret stays for a retry.
    if (told._tag === "Left" && told.left._tag !== "InviteInvalid") return yield* told.left
    const removed = yield* store.remove(CloudLayout.invite(toBase64Url(id)))
    if (told._tag === "Left") return yield* told.left
    return { withdrawn: true, secretRemoved: removed }
  })
