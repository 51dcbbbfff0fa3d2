import { assert, describe, it } from "@effect/vitest"
import { Cause } from "effect"
import * as Cloud from "../../src/cloud/CloudErrors.js"
import { describeFailure } from "../../src/cli/Runtime.js"
import { CLI_HINTS, cliHint } from "../../src/cli/CliHints.js"
import {
  AmbiguousRecipient,
  ArtifactNotFound,
  ArtifactTooLarge,
  BacklogFull,
  BodyTooLarge,
  type BridgeFailure,
  bridgeErrors,
  ConfigInvalid,
  ConfigUnwritable,
  ErrorCode,
  HomeInvalid,
  IdentityUnresolved,
  Internal,
  InvalidArgument,
  RemoteContactRevoked,
  RemoteNotAContact,
  RemoteNotConfigured,
  RemoteRateLimited,
  InvalidName,
  isBridgeFailure,
  LockTimeout,
  MessageNotFound,
  NotAMember,
  ProviderUnknown,
  RecipientNotFound,
  SessionNotFound,
  StoreError,
  StoreIo,
  ThreadNotFound
} from "../../src/domain/Errors.js"
import { MCP_HINTS, renderToolError, toolErrorOf } from "../../src/mcp/ToolErrors.js"
import * as Protocol from "../../src/protocol/ProtocolErrors.js"
import * as Http from "../../src/relay/HttpErrors.js"
import * as Relay from "../../src/relay/RelayErrors.js"
import { statusOf } from "../../src/ui/Http.js"

type Samples = { readonly [T in BridgeFailure["_tag"]]: ReadonlyArray<Extract<BridgeFailure, { _tag: T }>> }

/** At least one of each local failure, and one of each shape a renderer tells apart. Missing a tag fails to compile. */
const samples: Samples = {
  RemoteNotConfigured: [new RemoteNotConfigured({ message: "this machine has no cloud account" })],
  RemoteNotAContact: [new RemoteNotAContact({ message: 'no contact "carol"; nothing was sent' })],
  RemoteContactRevoked: [new RemoteContactRevoked({ message: "the contact carol was revoked; nothing was sent" })],
  RemoteRateLimited: [new RemoteRateLimited({ message: "too many sends; retry after 60 s", retryAfterMs: 60_000 })],
  InvalidArgument: [
    new InvalidArgument({ message: "limit must be a whole number", hint: "Omit it for the default." }),
    new InvalidArgument({ message: "x", remedy: "sessionIds" }),
    new InvalidArgument({ message: "x", remedy: "postedSha256" }),
    new InvalidArgument({ message: "x", remedy: "threadIds" })
  ],
  InvalidName: [new InvalidName({ message: "bad label", hint: "Labels are 1-64 characters." })],
  BodyTooLarge: [
    new BodyTooLarge({ source: "body", size: 70000, limit: 65536 }),
    new BodyTooLarge({ source: "bodyFile", size: 70000, limit: 65536 }),
    new BodyTooLarge({ source: "stdin", limit: 65536 })
  ],
  ArtifactTooLarge: [
    new ArtifactTooLarge({ size: 11, limit: 10 }),
    new ArtifactTooLarge({ size: 11, limit: 10, file: "a.bin" })
  ],
  BacklogFull: [new BacklogFull({ label: "bob", sessionId: "01J", unread: 1000, limit: 1000 })],
  RecipientNotFound: [
    new RecipientNotFound({ by: "label", value: "bob" }),
    new RecipientNotFound({ by: "cwd", value: "/w" }),
    new RecipientNotFound({ by: "sessionId", value: "01JABCDEFGHJKMNPQRSTVWXYZ0" }),
    new RecipientNotFound({ by: "prefix", value: "01JABC" })
  ],
  AmbiguousRecipient: [
    new AmbiguousRecipient({
      prefix: "01JABC",
      live: true,
      candidates: [
        { sessionId: "01JABC1", label: "a" },
        { sessionId: "01JABC2", label: "b" }
      ]
    }),
    new AmbiguousRecipient({ prefix: "01JABC", live: false, candidates: [{ sessionId: "01JABC1" }] })
  ],
  NotAMember: [new NotAMember({ channel: "release" })],
  MessageNotFound: [new MessageNotFound({ message: 'no message "x" visible to you' })],
  ThreadNotFound: [new ThreadNotFound({ message: 'no thread "x" visible to you' })],
  ArtifactNotFound: [
    new ArtifactNotFound({ sha256: "ab".repeat(32), missing: "artifact" }),
    new ArtifactNotFound({ sha256: "ab".repeat(32), missing: "bytes" })
  ],
  SessionNotFound: [
    new SessionNotFound({ message: "no session x", hint: "Run `session-bridge list-sessions --all`." })
  ],
  IdentityUnresolved: [new IdentityUnresolved({ message: "not a ULID", hint: "Unset it." })],
  StoreIo: [new StoreIo({ message: "backup does not match", hint: "Move the backup aside and rerun." })],
  HomeInvalid: [new HomeInvalid({ message: "not absolute", hint: "Set it to an absolute path." })],
  LockTimeout: [new LockTimeout({ name: "session-x", waitedMs: 2000 })],
  ConfigInvalid: [new ConfigInvalid({ message: "not JSON", hint: "Fix the file, then rerun." })],
  ConfigUnwritable: [new ConfigUnwritable({ message: "read-only", hint: "Make it writable, then rerun." })],
  ProviderUnknown: [new ProviderUnknown({ message: "unknown provider", hint: "Use one of: codex." })],
  Internal: [new Internal({ message: "boom" })],
  StoreError: (["NotFound", "Exists", "Io", "InvalidPath", "Unsafe"] as const).map(
    (reason) => new StoreError({ reason, path: "inbox/x", cause: new Error("EACCES") })
  )
}

const all: ReadonlyArray<BridgeFailure> = Object.values(samples).flat()

/** Tags whose hint comes from the data, not from the site: both surfaces must say something. */
const RENDERED = new Set<string>([
  "BodyTooLarge",
  "ArtifactTooLarge",
  "BacklogFull",
  "RecipientNotFound",
  "AmbiguousRecipient",
  "NotAMember",
  "MessageNotFound",
  "ThreadNotFound",
  "ArtifactNotFound",
  "LockTimeout",
  "StoreError"
])

describe("the error model", () => {
  it("every local failure has a stable code from the error table, and every code has a failure", () => {
    for (const e of all) {
      assert.isTrue(isBridgeFailure(e), e._tag)
      assert.include(ErrorCode.literals as ReadonlyArray<string>, e.code, e._tag)
      if (e._tag !== "StoreError") assert.strictEqual(bridgeErrors.codeOf(e), e.code)
      assert.isAbove(e.message.length, 0, e._tag)
    }
    const produced = new Set(all.map((e) => e.code))
    assert.deepStrictEqual(
      ErrorCode.literals.filter((c) => !produced.has(c)),
      []
    )
    assert.deepStrictEqual([...bridgeErrors.tags, "StoreError"].sort(), Object.keys(samples).sort())
  })

  it("messages come from the data and read as before", () => {
    assert.strictEqual(
      new BacklogFull({ label: "bob", sessionId: "01J", unread: 3, limit: 3 }).message,
      "bob (01J) has 3 unread messages; the cap is 3. Nothing was sent."
    )
    assert.strictEqual(new RecipientNotFound({ by: "label", value: "bob" }).message, 'no session matches label "bob"')
    assert.strictEqual(
      new RecipientNotFound({ by: "prefix", value: "01JABC" }).message,
      "no session matches prefix 01JABC among live sessions"
    )
    assert.strictEqual(
      samples.AmbiguousRecipient[0]!.message,
      "prefix 01JABC matches 2 live sessions: 01JABC1 (a), 01JABC2 (b)"
    )
    assert.strictEqual(samples.AmbiguousRecipient[1]!.message, "prefix 01JABC matches 1 sessions")
    assert.strictEqual(samples.BodyTooLarge[0]!.message, "body is 70000 bytes of UTF-8; the limit is 65536")
    assert.strictEqual(samples.BodyTooLarge[2]!.message, "standard input is larger than 65536 bytes")
    assert.strictEqual(samples.ArtifactTooLarge[1]!.message, "a.bin is 11 bytes; the artifact cap is 10")
    assert.strictEqual(new NotAMember({ channel: "release" }).message, "you have not joined #release")
  })

  it("every local failure renders for MCP: its code and message, and a hint naming tools, never commands to type", () => {
    for (const e of all) {
      const shown = renderToolError(e)
      assert.deepStrictEqual([shown.code, shown.message], [e.code, e.message])
      assert.strictEqual(toolErrorOf(e).hint, shown.hint)
      if (RENDERED.has(e._tag) || ("remedy" in e && e.remedy !== undefined) || ("hint" in e && e.hint))
        assert.isAbove(shown.hint.length, 0, `${e._tag} has an MCP hint`)
      assert.notMatch(shown.hint, /session-bridge (tail-inbox|read|channel join|search)\b/, e._tag)
    }
    assert.strictEqual(Object.keys(MCP_HINTS).length, Object.keys(samples).length)
    assert.strictEqual(
      renderToolError(new NotAMember({ channel: "release" })).hint,
      'Call bridge_join_channel with channel "#release" first.'
    )
    assert.match(renderToolError(samples.InvalidArgument[1]!).hint, /bridge_list_sessions/)
  })

  it("every local failure renders for the CLI: `error CODE: message`, a hint naming commands and no MCP tool", () => {
    for (const e of all) {
      const text = describeFailure(Cause.fail(e), false)
      assert.isTrue(text.startsWith(`error ${e.code}: ${e.message}`), text)
      const hint = cliHint(e)
      if (RENDERED.has(e._tag) || ("remedy" in e && e.remedy !== undefined) || ("hint" in e && e.hint)) {
        assert.isAbove(hint.length, 0, `${e._tag} has a CLI hint`)
        assert.include(text, `\nhint: ${hint}`)
      }
      assert.notMatch(hint, /bridge_[a-z_]+/, `${e._tag}: ${hint}`)
    }
    assert.strictEqual(Object.keys(CLI_HINTS).length, Object.keys(samples).length)
  })

  it("a channel in a CLI hint is quoted for the shell", () => {
    assert.strictEqual(
      cliHint(new NotAMember({ channel: "release" })),
      "Join it first: `session-bridge channel join '#release'` (with --as to join as another session)."
    )
  })

  it("the dashboard answers bad input 400, an unknown id 404, a refused remote send 403/409/429, the rest 500", () => {
    assert.strictEqual(statusOf(samples.InvalidArgument[0]!), 400)
    assert.strictEqual(statusOf(new StoreError({ reason: "InvalidPath", path: "../x" })), 400)
    assert.strictEqual(statusOf(samples.ThreadNotFound[0]!), 404)
    assert.strictEqual(statusOf(samples.LockTimeout[0]!), 500)
    assert.strictEqual(statusOf(samples.RemoteContactRevoked[0]!), 403)
    assert.strictEqual(statusOf(samples.RemoteRateLimited[0]!), 429)
    for (const e of all) assert.oneOf(statusOf(e), [400, 403, 404, 409, 429, 500], e._tag)
  })

  it("the relay's store and HTTP errors read their codes from their tables", () => {
    const relay = [
      new Relay.HandleTaken({ handle: "h" }),
      new Relay.InviteInvalid(),
      new Relay.InviteLimit({ limit: 3 }),
      new Relay.NotAContact(),
      new Relay.ContactRevoked(),
      new Relay.RecipientQuota({ what: "messages", limit: 1 }),
      new Relay.RelayAuth(),
      new Relay.AccountNotFound({ account: "a" }),
      new Relay.EkSeqStale({ stored: 2, given: 1 }),
      new Relay.RelayStoreIo({ op: "x", cause: new Error("disk") })
    ]
    assert.deepStrictEqual(relay.map((e) => e._tag).sort(), [...Relay.relayErrors.tags].sort())
    for (const e of relay) assert.strictEqual(e.code, Relay.relayErrorCodes[e._tag])
    const http = [
      new Http.BadRequest({ detail: "d" }),
      new Http.TooLarge({ what: "body", limit: 1 }),
      new Http.RateLimited({ what: "sends", retryAfterSec: 1 }),
      new Http.RegistrationCodeInvalid(),
      new Http.NotFound({ what: "w" }),
      new Http.BlobHashMismatch()
    ]
    assert.deepStrictEqual(http.map((e) => e._tag).sort(), [...Http.httpErrors.tags].sort())
    for (const e of http) assert.strictEqual(e.code, Http.httpErrorCodes[e._tag])
  })

  it("every cloud client error has its code and a CLI hint; every protocol error its code", () => {
    const classes = Cloud as unknown as Record<string, new (args: object) => Error & { code: string; hint: string }>
    for (const tag of Cloud.cloudErrors.tags) {
      const e = new classes[tag]!({ detail: "what happened", retryAfterMs: 1000 })
      assert.strictEqual(e.code, Cloud.CLOUD_ERRORS[tag].code, tag)
      assert.isTrue(Cloud.cloudErrors.is(e), tag)
      assert.strictEqual(
        describeFailure(Cause.fail(e), false),
        `error ${e.code}: what happened\nhint: ${Cloud.CLOUD_ERRORS[tag].hint}`
      )
      assert.deepStrictEqual(toolErrorOf(e), { code: e.code, message: "what happened", hint: e.hint })
    }
    const protocol = Protocol as unknown as Record<string, new (args: object) => Error & { code: string }>
    for (const tag of Protocol.protocolErrors.tags) {
      const e = new protocol[tag]!({ detail: "d" })
      assert.strictEqual(e.code, Protocol.PROTOCOL_ERRORS[tag].code, tag)
      assert.isTrue(Protocol.protocolErrors.is(e), tag)
      assert.isFalse(isBridgeFailure(e), tag)
    }
  })
})
