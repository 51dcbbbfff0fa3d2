import { Effect } from "effect"
import { Layout } from "../../src/domain/Layout.js"
import { Store } from "../../src/services/Store.js"

/** Fixed ids and records in their on-disk (encoded) form, for dashboard tests. */
export const ALICE = "01JAAAAAAAAAAAAAAAAAAAAAAA"
export const BOB = "01JBBBBBBBBBBBBBBBBBBBBBBB"
export const M1 = "01JCCCCCCCCCCCCCCCCCCCCCC1"
export const M2 = "01JCCCCCCCCCCCCCCCCCCCCCC2"
export const M3 = "01JCCCCCCCCCCCCCCCCCCCCCC3"
export const PNG_SHA = "a".repeat(64)
export const TEXT_SHA = "b".repeat(64)
export const HTML_SHA = "c".repeat(64)

export const session = (sessionId: string, label: string, lastSeen: string, extra: Record<string, unknown> = {}) => ({
  v: 1,
  sessionId,
  label,
  cwd: `/work/${label}`,
  provider: "claude-code",
  createdAt: "2026-01-01T00:00:00.000Z",
  lastSeen,
  ...extra
})

export const message = (
  id: string,
  from: { sessionId: string; label: string },
  to: ReadonlyArray<{ sessionId: string; label: string }>,
  subject: string,
  extra: Record<string, unknown> = {}
) => ({
  v: 1,
  id,
  kind: "direct",
  from,
  to,
  subject,
  body: `body of ${subject}`,
  threadId: id,
  artifacts: [],
  createdAt: "2026-01-01T00:00:00.000Z",
  origin: "local",
  ...extra
})

const a = { sessionId: ALICE, label: "alice" }
const b = { sessionId: BOB, label: "bob" }

/** A 1×1 PNG. */
export const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0)
)

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n"

/**
 * Two sessions (alice online at `now`, bob last seen long ago), a direct message and its reply in one thread,
 * a live broadcast, a channel with one member and one message, and three artifacts (png, text, html).
 */
export const seed = (now: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    yield* store.write(Layout.session(ALICE), json(session(ALICE, "alice", now, { summary: "writing the parser" })))
    yield* store.write(Layout.session(BOB), json(session(BOB, "bob", "2026-01-01T00:00:00.000Z")))
    const first = message(M1, a, [b], "parser plan", { artifacts: [PNG_SHA, TEXT_SHA] })
    const reply = message(M2, b, [a], "re: parser plan", { threadId: M1, inReplyTo: M1 })
    yield* store.write(Layout.inboxMessage(BOB, M1), json(first))
    yield* store.write(Layout.inboxMessage(ALICE, M2), json(reply))
    const far = new Date(Date.parse(now) + 3_600_000).toISOString()
    yield* store.write(
      Layout.broadcast(M3),
      json(message(M3, a, [], "deploy freeze", { kind: "broadcast", expiresAt: far }))
    )
    const chan = "01JCCCCCCCCCCCCCCCCCCCCCC4"
    yield* store.write(
      Layout.channelMembers("build"),
      json({ v: 1, channel: "build", members: [{ sessionId: ALICE, label: "alice", joinedAt: now }] })
    )
    yield* store.write(
      Layout.channelMessage("build", chan),
      json(message(chan, a, [a], "green on main", { kind: "channel", channel: "build" }))
    )
    const meta = (sha: string, size: number, mimeType: string, name: string) => ({
      v: 1,
      sha256: sha,
      size,
      mimeType,
      name,
      postedBy: ALICE,
      createdAt: "2026-01-01T00:00:00.000Z"
    })
    yield* store.write(Layout.artifactBytes(PNG_SHA), PNG)
    yield* store.write(Layout.artifactMeta(PNG_SHA), json(meta(PNG_SHA, PNG.length, "image/png", "dot.png")))
    yield* store.write(Layout.artifactBytes(TEXT_SHA), "hello artifact\n")
    yield* store.write(Layout.artifactMeta(TEXT_SHA), json(meta(TEXT_SHA, 15, "text/plain", "notes.txt")))
    yield* store.write(Layout.artifactBytes(HTML_SHA), "<script>alert(1)</script>")
    yield* store.write(Layout.artifactMeta(HTML_SHA), json(meta(HTML_SHA, 25, "text/html", "x.html")))
  })
