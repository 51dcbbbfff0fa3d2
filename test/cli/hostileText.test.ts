import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensureBuilt } from "../support/build.js"
import { runBin } from "../support/cliRun.js"
import { tempHome, testSessionId } from "../support/mcpClient.js"

/**
 * Text from other sessions (and machines) reaches the terminal through tail-inbox, channel history, search,
 * list-sessions and inspect. Each is run as a real process against a home holding hostile text; stdout must carry
 * no character a terminal acts on or hides, and --json must carry the exact text.
 */

/** Raw bytes that must never reach a terminal from stored text: C0 but \n and \t, DEL, C1, bidi/invisible format. */
const UNSAFE = new RegExp(
  // oxlint-disable-next-line no-control-regex -- control characters are what this looks for
  "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}]",
  "u"
)

/** ESC/OSC 52 (clipboard), OSC 8 (hidden link), clear screen, BEL, CR overwrite, CSI through C1, bidi, zero-width, tags. */
const HOSTILE =
  "zebra \x1b]52;c;cHduZWQ=\x07 \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \x1b[2J\x1b[H bell\x07 " +
  "ok\rFAKE \u202eevil\u202c zero\u200bwidth \x9b31m \x7fdel \u2028ls \u2066iso\u2069 \u{e0041}tag \x1b]0;title\x07"
const BODY = `line \x00one\n${HOSTILE}\n\tindented\r\nlast`

const writeRecord = (home: string, rel: string, value: unknown) => {
  fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(home, rel), JSON.stringify(value), { mode: 0o600 })
}

describe("stored text is inert in a terminal", () => {
  const home = tempHome("sb-hostile-")
  const remoteId = testSessionId()
  const otherId = testSessionId()
  const now = new Date().toISOString()
  let me = ""

  const ok = async (args: ReadonlyArray<string>) => {
    const ran = await runBin(home, args)
    assert.strictEqual(ran.code, 0, `${args.join(" ")}: ${ran.stderr}`)
    assert.isFalse(
      UNSAFE.test(ran.stdout),
      `raw control characters in the output of ${args[0]}: ${JSON.stringify(ran.stdout)}`
    )
    assert.isFalse(UNSAFE.test(ran.stderr), `raw control characters on stderr of ${args[0]}`)
    return ran.stdout
  }

  beforeAll(async () => {
    await ensureBuilt()
    // The CLI's own session, a channel it joined, and a hostile post there (through the real commands).
    await ok(["channel", "join", "#ops"])
    const sessions = JSON.parse(await ok(["list-sessions", "--all", "--json"])) as Array<{
      sessionId: string
      provider: string
    }>
    me = sessions.find((s) => s.provider === "cli")!.sessionId
    const bodyFile = path.join(home, "body.txt")
    fs.writeFileSync(bodyFile, BODY)
    await ok(["send-message", me, HOSTILE, "--body-file", bodyFile])
    await ok(["channel", "post", "#ops", HOSTILE, "--body-file", bodyFile])
    // A session record and a remote message as another process (or the cloud layer) could store them.
    writeRecord(home, `sessions/${otherId}.json`, {
      v: 1,
      sessionId: otherId,
      label: "ev\u202eil\u200bbob",
      cwd: `/tmp/\x1b]0;owned\x07/${HOSTILE}`,
      provider: "codex",
      createdAt: now,
      lastSeen: now,
      summary: HOSTILE
    })
    writeRecord(home, `inbox/${me}/${remoteId}.json`, {
      v: 1,
      id: remoteId,
      kind: "direct",
      from: { sessionId: otherId, label: `mallory\x1b[2K\r${HOSTILE}` },
      to: [{ sessionId: me, label: "me" }],
      subject: `remote ${HOSTILE}`,
      body: BODY,
      threadId: remoteId,
      artifacts: [],
      createdAt: now,
      origin: "remote",
      remoteFrom: `m\x1b]8;;x\x07@relay`
    })
  }, 180_000)

  afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

  it("tail-inbox shows escapes, keeps the body's lines and tabs, and --json carries the exact text", async () => {
    const text = await ok(["tail-inbox", "--all"])
    assert.include(text, "\\x1b]52;c;cHduZWQ=\\x07")
    assert.include(text, "ok\\rFAKE \\u202eevil\\u202c zero\\u200bwidth \\x9b31m \\x7fdel \\u2028ls")
    assert.include(text, "\\u{e0041}tag \\x1b]0;title\\x07")
    assert.include(text, "   │ line \\x00one\n")
    assert.include(text, "   │ \tindented\\r\n   │ last")
    assert.include(text, "from mallory\\x1b[2K\\rzebra")
    assert.include(text, "(remote: m\\x1b]8;;x\\x07@relay)")
    const lines = (await ok(["tail-inbox", "--all", "--json"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    const remote = lines.find((l) => l.id === remoteId)
    assert.strictEqual(remote.body, BODY)
    assert.strictEqual(remote.subject, `remote ${HOSTILE}`)
    assert.strictEqual(remote.from.label, `mallory\x1b[2K\r${HOSTILE}`)
    assert.strictEqual(lines.find((l) => l.id !== remoteId).subject, HOSTILE)
  })

  it("channel history shows escapes and --json carries the exact text", async () => {
    const text = await ok(["channel", "history", "#ops"])
    assert.include(text, "   zebra \\x1b]52;c;")
    assert.include(text, "   │ \tindented\\r")
    const json = JSON.parse(await ok(["channel", "history", "#ops", "--json"]))
    assert.strictEqual(json[0].subject, HOSTILE)
    assert.strictEqual(json[0].body, BODY)
  })

  it("search shows escapes in its table (subjects, senders, body previews) and --json carries the exact text", async () => {
    const text = await ok(["search", "zebra"])
    assert.include(text, "zebra \\x1b]52;c;")
    assert.strictEqual(text.trim().split("\n").length, 1 + 3, "one row per hit, no line broken by stored text")
    const json = JSON.parse(await ok(["search", "zebra", "--json"]))
    assert.includeMembers(
      json.map((h: { subject: string }) => h.subject),
      [HOSTILE, `remote ${HOSTILE}`]
    )
  })

  it("list-sessions shows escaped labels, cwds and summaries, one row per session; --json is exact", async () => {
    const text = await ok(["list-sessions", "--all"])
    assert.include(text, "ev\\u202eil\\u200bbob")
    assert.include(text, "/tmp/\\x1b]0;owned\\x07/zebra")
    assert.strictEqual(text.trim().split("\n").length, 1 + 2)
    const json = JSON.parse(await ok(["list-sessions", "--all", "--json"]))
    const other = json.find((s: { sessionId: string }) => s.sessionId === otherId)
    assert.strictEqual(other.summary, HOSTILE)
    assert.strictEqual(other.cwd, `/tmp/\x1b]0;owned\x07/${HOSTILE}`)
    assert.strictEqual(other.label, "ev\u202eil\u200bbob")
  })

  it("inspect shows a hostile record and an undecodable file inertly; --json is exact", async () => {
    const text = await ok(["inspect", remoteId])
    assert.include(text, "\\u202eevil")
    writeRecord(home, `inbox/${me}/broken.txt`, "")
    fs.writeFileSync(path.join(home, `inbox/${me}/broken.txt`), `raw ${HOSTILE}\n`, { mode: 0o600 })
    const raw = await ok(["inspect", `inbox/${me}/broken.txt`])
    assert.include(raw, "raw zebra \\x1b]52;c;")
    const json = JSON.parse(await ok(["inspect", remoteId, "--json"]))
    assert.strictEqual(json[0].record.body, BODY)
    fs.rmSync(path.join(home, `inbox/${me}/broken.txt`))
  })
})
