import { DateTime, Effect, Encoding } from "effect"
import { Artifacts } from "../../src/bridge/Artifacts.js"
import { Broadcasts } from "../../src/bridge/Broadcasts.js"
import { Channels } from "../../src/bridge/Channels.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { SessionRecord } from "../../src/domain/Records.js"
import { writeJson } from "../../src/services/store/Documents.js"

/** A 1×1 PNG. */
export const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
export const PNG = Encoding.decodeBase64(PNG_BASE64).pipe((e) => (e._tag === "Right" ? e.right : new Uint8Array()))

/**
 * Seeds a home through the domain services: alice (online, with a summary) and bob (offline), a direct
 * message with two artifacts and bob's reply in its thread, a live broadcast from alice, channel #build with
 * alice and one message, and an HTML artifact nobody sent.
 */
export const seed = Effect.gen(function* () {
  const sessions = yield* Sessions
  const mailbox = yield* Mailbox
  const artifacts = yield* Artifacts
  const broadcasts = yield* Broadcasts
  const channels = yield* Channels
  const alice = yield* sessions.register({ label: "alice", cwd: "/work/alice", provider: "claude-code" })
  const bob = yield* sessions.register({ label: "bob", cwd: "/work/bob", provider: "codex" })
  yield* sessions.setSummary(alice.sessionId, "writing the parser")
  const png = yield* artifacts.post({
    content: { base64: PNG_BASE64 },
    name: "dot.png",
    mimeType: "image/png",
    postedBy: alice.sessionId
  })
  const text = yield* artifacts.post({
    content: { text: "hello artifact\n" },
    name: "notes.txt",
    mimeType: "text/plain",
    postedBy: alice.sessionId
  })
  const html = yield* artifacts.post({
    content: { text: "<script>alert(1)</script>" },
    name: "x.html",
    mimeType: "text/html",
    postedBy: bob.sessionId
  })
  const first = yield* mailbox.send({
    from: alice,
    to: { sessionId: bob.sessionId },
    subject: "parser plan",
    body: "body of parser plan",
    artifacts: [png.meta.sha256, text.meta.sha256]
  })
  const reply = yield* mailbox.send({
    from: bob,
    to: { sessionId: alice.sessionId },
    subject: "re: parser plan",
    replyTo: first.envelope.id
  })
  const broadcast = yield* broadcasts.post({ from: alice, subject: "deploy freeze", ttlSec: 3600 })
  yield* channels.join(alice.sessionId, "#build")
  const channelMessage = yield* mailbox.send({ from: alice, to: { channel: "#build" }, subject: "green on main" })
  // bob was last seen a day ago: offline.
  const dayAgo = DateTime.subtract(yield* DateTime.now, { days: 1 })
  yield* writeJson(Layout.session(bob.sessionId), SessionRecord, SessionRecord.make({ ...bob, lastSeen: dayAgo }))
  return {
    alice: alice.sessionId as string,
    bob: bob.sessionId as string,
    first: first.envelope.id as string,
    reply: reply.envelope.id as string,
    broadcast: broadcast.id as string,
    channelMessage: channelMessage.envelope.id as string,
    png: png.meta.sha256 as string,
    text: text.meta.sha256 as string,
    html: html.meta.sha256 as string
  }
})

export type Seeded = Effect.Effect.Success<typeof seed>

/** A direct message envelope in its on-disk form, for writing straight into an inbox. */
export const rawMessage = (id: string, from: string, to: string, subject: string) => ({
  v: 1,
  id,
  kind: "direct",
  from: { sessionId: from, label: "alice" },
  to: [{ sessionId: to, label: "bob" }],
  subject,
  body: "",
  threadId: id,
  artifacts: [],
  createdAt: new Date().toISOString(),
  origin: "local"
})
