import { CLOUD_ERRORS, cloudErrors } from "../cloud/CloudErrors.js"
import type { BridgeFailure, Remedy, StoreError } from "../domain/Errors.js"
import { isBridgeFailure } from "../domain/Errors.js"

/** An error as a tool result carries it: `{code, message, hint}`, the hint naming the tools that help. */
export interface ToolError {
  readonly code: string
  readonly message: string
  readonly hint: string
}

type HintOf = { readonly [T in BridgeFailure["_tag"]]: (error: Extract<BridgeFailure, { _tag: T }>) => string }

const REMEDIES: { readonly [R in Remedy]: string } = {
  sessionIds: "Copy the id from bridge_list_sessions.",
  postedSha256: "Pass the 64-hex sha256 returned by bridge_post_artifact.",
  threadIds: "Use the threadId from bridge_list_inbox, or any message id."
}

const said = (error: { readonly hint?: string | undefined }) => error.hint ?? ""

/** What to do about a Store port failure; the same words on every surface. */
export const storeHint = (error: StoreError): string => {
  switch (error.code) {
    case "HOME_UNSAFE":
      return "Something under $SESSION_BRIDGE_HOME is a link, a special file, too large, or not yours; see docs/store.md."
    case "INVALID_NAME":
      return "Names may not contain '/', '..', NUL or control characters."
    case "STORE_IO":
      return "Check that $SESSION_BRIDGE_HOME is writable by you; run `session-bridge doctor`."
  }
}

/** The hint for each local failure, in the words of a model that calls tools. */
export const MCP_HINTS: HintOf = {
  InvalidArgument: (e) => (e.remedy === undefined ? said(e) : REMEDIES[e.remedy]),
  InvalidName: said,
  BodyTooLarge: () => "Post the content with bridge_post_artifact and send its sha256 in artifacts.",
  ArtifactTooLarge: () => "Split it, or raise SESSION_BRIDGE_MAX_ARTIFACT_BYTES for every session.",
  BacklogFull: () => "Wait for the recipient to read its inbox, then retry.",
  RecipientNotFound: (e) => {
    switch (e.by) {
      case "label":
      case "cwd":
        return "Run bridge_list_sessions (or `session-bridge list-sessions --all`) to see who is there."
      case "sessionId":
        return "Check the id with bridge_list_sessions (includeOffline: true)."
      case "prefix":
        return "Prefixes match live sessions only; use the full session id for an offline one."
    }
  },
  AmbiguousRecipient: () => "Use a longer prefix or the full session id.",
  NotAMember: (e) => `Call bridge_join_channel with channel "#${e.channel}" first.`,
  MessageNotFound: () => "Use an id from bridge_list_inbox, bridge_search or bridge_channel_history.",
  ThreadNotFound: () => "Use a threadId from bridge_list_inbox or bridge_read_message.",
  ArtifactNotFound: (e) =>
    e.missing === "artifact" ? "Post it first with bridge_post_artifact; use the sha256 it returns." : "Post it again.",
  SessionNotFound: said,
  IdentityUnresolved: said,
  StoreIo: said,
  HomeInvalid: said,
  LockTimeout: () => "Another process holds the lock; retry. A dead holder's lock is recovered automatically.",
  ConfigInvalid: said,
  ConfigUnwritable: said,
  ProviderUnknown: said,
  Internal: said,
  RemoteNotConfigured: () =>
    "This machine has no cloud account: the user registers one (`session-bridge cloud register`) and adds contacts.",
  RemoteNotAContact: () =>
    "bridge_list_sessions lists contacts' live sessions; the user adds contacts with `session-bridge contact`.",
  RemoteContactRevoked: () => "A revoked contact needs a new invite (`session-bridge contact invite`).",
  RemoteRateLimited: () => "Wait for the contact's answer instead of sending again.",
  StoreError: storeHint
}

const hintOf = <E extends BridgeFailure>(error: E): string => (MCP_HINTS[error._tag] as (error: E) => string)(error)

/** A local failure as a tool result shows it. */
export const renderToolError = (error: BridgeFailure): ToolError => ({
  code: error.code,
  message: error.message,
  hint: hintOf(error)
})

/**
 * Anything a context build or a handler failed with: a local failure rendered by its tag, a cloud client error
 * with its code and its table row's hint, and the rest INTERNAL.
 */
export const toolErrorOf = (error: unknown): ToolError => {
  if (isBridgeFailure(error)) return renderToolError(error)
  if (cloudErrors.is(error))
    return { code: cloudErrors.codeOf(error), message: error.message, hint: CLOUD_ERRORS[error._tag].hint }
  return {
    code: "INTERNAL",
    message: error instanceof Error ? error.message : String(error),
    hint: "This is a bug; the server log (stderr) has details."
  }
}
