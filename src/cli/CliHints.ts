import { CLOUD_ERRORS, type CloudErrorTag } from "../cloud/CloudErrors.js"
import type { BridgeFailure, Remedy, StoreError } from "../domain/Errors.js"

/** A word as it can be pasted into a POSIX shell: bare when safe, else single-quoted ('#release'). */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`

type HintOf = { readonly [T in BridgeFailure["_tag"]]: (error: Extract<BridgeFailure, { _tag: T }>) => string }

const REMEDIES: { readonly [R in Remedy]: string } = {
  sessionIds: "Copy the id from `session-bridge list-sessions --all`.",
  postedSha256: "Artifacts are named by the sha256 of their bytes; copy it from the message.",
  threadIds: "Use the threadId from `session-bridge tail-inbox --all`, or any message id."
}

const said = (error: { readonly hint?: string | undefined }) => error.hint ?? ""

const storeHint = (error: StoreError): string => {
  switch (error.code) {
    case "HOME_UNSAFE":
      return "Something under $SESSION_BRIDGE_HOME is a link, a special file, too large, or not yours; see docs/store.md."
    case "INVALID_NAME":
      return "Names may not contain '/', '..', NUL or control characters."
    case "STORE_IO":
      return "Check that $SESSION_BRIDGE_HOME is writable by you; run `session-bridge doctor`."
  }
}

const SEND_AS_ARTIFACT = "Send it as an attachment instead: --artifact <path>."

/**
 * The hint for each local failure, in the words of someone at a shell: it names `session-bridge` commands, and a
 * channel name in it is quoted so that the command can be pasted as it is.
 */
export const CLI_HINTS: HintOf = {
  InvalidArgument: (e) => (e.remedy === undefined ? said(e) : REMEDIES[e.remedy]),
  InvalidName: said,
  BodyTooLarge: () => SEND_AS_ARTIFACT,
  ArtifactTooLarge: () => "Split it, or raise SESSION_BRIDGE_MAX_ARTIFACT_BYTES for every session.",
  BacklogFull: () => "Wait for the recipient to read its inbox, then retry.",
  RecipientNotFound: (e) => {
    switch (e.by) {
      case "label":
      case "cwd":
        return "Run `session-bridge list-sessions --all` to see who is there."
      case "sessionId":
        return "Check the id with `session-bridge list-sessions --all`."
      case "prefix":
        return "Prefixes match live sessions only; use the full session id for an offline one."
    }
  },
  AmbiguousRecipient: () => "Use a longer prefix or the full session id.",
  NotAMember: (e) =>
    `Join it first: \`session-bridge channel join ${shellQuote(`#${e.channel}`)}\` (with --as to join as another session).`,
  MessageNotFound: () =>
    "Use an id from `session-bridge tail-inbox --all`, `session-bridge search` or `session-bridge channel history <#channel>`.",
  ThreadNotFound: () => "Use a threadId from `session-bridge tail-inbox --all` or `session-bridge read <id>`.",
  ArtifactNotFound: (e) =>
    e.missing === "artifact"
      ? "Artifacts are named by the sha256 of their bytes; copy it from the message."
      : "Send it again: --artifact <path>.",
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
    "Run `session-bridge cloud register --relay URL --handle NAME`, then invite and accept the contact.",
  RemoteNotAContact: () =>
    "See `session-bridge contact list`; accept a redeemed invite with `session-bridge contact accept <handle>`.",
  RemoteContactRevoked: () => "A revoked contact needs a new invite: `session-bridge contact invite`.",
  RemoteRateLimited: () => "Slow down (SESSION_BRIDGE_REMOTE_RATE=off lifts this for load tests).",
  StoreError: storeHint
}

/** The hint a terminal user sees for a local failure ("" when there is nothing to add). */
export const cliHint = <E extends BridgeFailure>(error: E): string =>
  (CLI_HINTS[error._tag] as (error: E) => string)(error)

/** The hint for a cloud client error: its table row's, which is written for the CLI that runs the cloud commands. */
export const cloudHint = (error: { readonly _tag: CloudErrorTag }): string => CLOUD_ERRORS[error._tag].hint
