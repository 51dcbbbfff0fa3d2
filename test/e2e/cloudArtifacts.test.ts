import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ensureBuilt } from "../support/build.js"
import { runBin, scratchDirs } from "../support/cliRun.js"
import {
  cliJson,
  type Daemon,
  eventually,
  fetchArtifact,
  pairHomes,
  startDaemon,
  stopDaemon
} from "../support/cloudProcesses.js"
import { type McpHandle, spawnMcp, testSessionId } from "../support/mcpClient.js"
import { type Relay, startRelay, stopRelay } from "../relay/relayProcess.js"

/*
 * Artifacts between two homes through real processes: a relay (SQLite, loopback), a daemon per home, a session in
 * each. A 10 MiB random artifact sent by alice's session lands byte-identical in bob's artifact store before the
 * message appears; `contact send --artifact` carries files from the command line the same way, under the local
 * artifact rules.
 */

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex")

describe("artifacts to a contact across real processes", () => {
  const dirs = scratchDirs("sb-cloud-art-")
  let relay: Relay
  let alice: string
  let bob: string
  let dev: McpHandle
  let api: McpHandle
  const daemons: Array<Daemon> = []

  beforeAll(async () => {
    await ensureBuilt()
    relay = await startRelay({ home: dirs.make(), args: ["--rate-limits", "off"] })
    alice = dirs.make()
    bob = dirs.make()
    await pairHomes(relay.url, alice, bob)
    dev = await spawnMcp({ home: alice, label: "dev", sessionId: testSessionId() })
    api = await spawnMcp({ home: bob, label: "api", sessionId: testSessionId(), maxBufferSize: 64 * 1024 * 1024 })
    await dev.ok("bridge_whoami")
    await api.ok("bridge_whoami")
    daemons.push(startDaemon(alice), startDaemon(bob))
    await eventually("both daemons started", async () =>
      daemons.every((d) => d.stderr().includes("daemon_started")) ? true : undefined
    )
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled([dev?.close(), api?.close()])
    for (const d of daemons) await stopDaemon(d)
    if (relay !== undefined) await stopRelay(relay)
    dirs.removeAll()
  })

  it("a 10 MiB random artifact from alice's session reaches bob's byte-identical", async () => {
    const bytes = randomBytes(10 * 1024 * 1024)
    const posted = await dev.ok("bridge_post_artifact", { contentBase64: bytes.toString("base64"), name: "blob.bin" })
    assert.strictEqual(posted.sha256, sha(bytes))
    const waiting = api.ok("bridge_wait_for_message", { timeoutSec: 90 }, { timeoutMs: 120_000 })
    const sent = await dev.ok("bridge_send_message", {
      to: { contact: "bob", label: "api" },
      subject: "the big one",
      artifacts: [posted.sha256]
    })
    const woke = await waiting
    if (woke.timedOut === true) {
      const outbox = path.join(alice, "cloud", "outbox", `${sent.messageId}.json`)
      const left = fs.existsSync(outbox) ? fs.readFileSync(outbox, "utf8") : "(not queued)"
      assert.fail(`the message did not arrive; outbox: ${left}\n${daemons.map((d) => d.stderr()).join("\n")}`)
    }
    assert.strictEqual(woke.message.subject, "the big one")
    const read = await api.ok("bridge_read_message", { id: woke.message.id })
    assert.strictEqual(read.origin, "remote")
    assert.deepStrictEqual(
      read.artifacts.map((a: any) => [a.sha256, a.size, a.name]),
      [[posted.sha256, bytes.length, "blob.bin"]]
    )
    const fetched = await fetchArtifact(api, posted.sha256)
    assert.strictEqual(fetched.bytes.length, bytes.length)
    assert.isTrue(fetched.bytes.equals(bytes), "byte-identical on the receiving side")
    assert.isAbove(fetched.replies, 1)
    const stored = await eventually("the sender's delivery state", async () => {
      const file = path.join(alice, "cloud", "sent", `${sent.messageId}.json`)
      return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
    })
    assert.include(["stored", "delivered", "surfaced", "read"], stored.state)
  }, 240_000)

  it("contact send --artifact carries files from the command line, under the local artifact rules", async () => {
    const dir = dirs.make()
    const notes = path.join(dir, "notes.md")
    const image = path.join(dir, "shot.png")
    fs.writeFileSync(notes, "# Notes\n\nfrom the command line\n")
    const png = randomBytes(200_000)
    fs.writeFileSync(image, png)
    const sent = await cliJson(alice, [
      "contact",
      "send",
      "bob",
      "files attached",
      "--body",
      "see both",
      "--label",
      "api",
      "--artifact",
      notes,
      "--artifact",
      image
    ])
    assert.strictEqual(sent.state, "queued")
    assert.deepStrictEqual(sent.artifacts, [sha(fs.readFileSync(notes)), sha(png)])
    // Queued, or already carried by the daemon (which wakes on the write): either file holds the entry.
    const [entry] = ["outbox", "sent"].flatMap((dir) => {
      const file = path.join(alice, "cloud", dir, `${sent.messageId}.json`)
      return fs.existsSync(file) ? [JSON.parse(fs.readFileSync(file, "utf8"))] : []
    })
    assert.deepStrictEqual(
      entry.artifacts.map((a: any) => [a.name, a.mime]),
      [
        ["notes.md", "text/markdown; charset=utf-8"],
        ["shot.png", "image/png"]
      ]
    )
    const woke = await api.ok("bridge_wait_for_message", { timeoutSec: 60 }, { timeoutMs: 90_000 })
    assert.strictEqual(woke.message.subject, "files attached")
    const read = await api.ok("bridge_read_message", { id: woke.message.id })
    assert.strictEqual(read.body, "see both")
    assert.deepStrictEqual(
      read.artifacts.map((a: any) => a.name),
      ["notes.md", "shot.png"]
    )
    assert.isTrue((await fetchArtifact(api, sha(png))).bytes.equals(png))
    const text = await api.ok("bridge_get_artifact", { sha256: sha(fs.readFileSync(notes)), encoding: "text" })
    assert.strictEqual(text.content, "# Notes\n\nfrom the command line\n")
  }, 120_000)

  it("contact send refuses an artifact over the cap, more than eight, and a missing file, queueing nothing", async () => {
    const dir = dirs.make()
    const big = path.join(dir, "big.bin")
    fs.writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 1))
    const before = fs.readdirSync(path.join(alice, "cloud", "outbox")).length
    const tooLarge = await runBin(alice, ["contact", "send", "bob", "big", "--artifact", big])
    assert.strictEqual(tooLarge.code, 1)
    assert.include(tooLarge.stderr, "ARTIFACT_TOO_LARGE")
    const files = Array.from({ length: 9 }, (_, i) => {
      const f = path.join(dir, `f${i}.txt`)
      fs.writeFileSync(f, `file ${i}`)
      return f
    })
    const tooMany = await runBin(alice, ["contact", "send", "bob", "many", ...files.flatMap((f) => ["--artifact", f])])
    assert.strictEqual(tooMany.code, 2)
    assert.include(tooMany.stderr, "INVALID_ARGUMENT")
    const missing = await runBin(alice, ["contact", "send", "bob", "gone", "--artifact", path.join(dir, "nope")])
    assert.notStrictEqual(missing.code, 0)
    assert.strictEqual(fs.readdirSync(path.join(alice, "cloud", "outbox")).length, before)
  }, 60_000)
})
