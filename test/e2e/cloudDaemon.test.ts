import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ensureBuilt } from "../support/build.js"
import { mcpServers, runBin, scratchDirs } from "../support/cliRun.js"
import {
  cliJson as json,
  type Daemon,
  eventually,
  inboxOf as inbox,
  startDaemon,
  stopDaemon
} from "../support/cloudProcesses.js"
import { type Relay, startRelay, stopRelay } from "../relay/relayProcess.js"

/*
 * The cloud layer over real processes: one relay (SQLite, random loopback port, rate limits off), two homes with
 * their own `session-bridge daemon`, contacts made through the real CLI, a live session (an MCP server) in bob's
 * home. Presence is shortened with the daemon's test-only --presence-interval-ms.
 */

describe("cloud daemon and contacts across real processes", () => {
  const dirs = scratchDirs("sb-cloud-e2e-")
  let relay: Relay
  let alice: string
  let bob: string
  const daemons: Array<Daemon> = []
  let bobSessions: ReturnType<typeof mcpServers>

  beforeAll(async () => {
    await ensureBuilt()
    relay = await startRelay({ home: dirs.make(), args: ["--rate-limits", "off"] })
    alice = dirs.make()
    bob = dirs.make()
    bobSessions = mcpServers(bob)
  }, 120_000)

  afterAll(async () => {
    await bobSessions.closeAll()
    for (const d of daemons) await stopDaemon(d)
    await stopRelay(relay)
    dirs.removeAll()
  })

  it("invite, add, accept, send, presence, revoke, one daemon per home, exit 0 on SIGTERM", async () => {
    // Accounts and the contact, through the CLI.
    assert.strictEqual(
      (await json(alice, ["cloud", "register", "--relay", relay.url, "--handle", "alice"])).handle,
      "alice"
    )
    assert.strictEqual((await json(bob, ["cloud", "register", "--relay", relay.url, "--handle", "bob"])).handle, "bob")
    const invite = await json(alice, ["contact", "invite"])
    assert.match(invite.code, /^sb1-[0-9A-Z]{5}(-[0-9A-Z]{1,5}){5}$/)
    assert.isTrue(Date.parse(invite.expiresAt) > Date.now() + 23 * 3600_000)
    const added = await json(bob, ["contact", "add", invite.code])
    assert.strictEqual(added.handle, "alice")
    assert.strictEqual(added.state, "pending")
    assert.match(added.safetyNumber, /^\d{5} \d{5} \d{5} \d{5}$/)
    const accepted = await json(alice, ["contact", "accept", "bob"])
    assert.strictEqual(accepted.state, "active")
    assert.strictEqual(accepted.safetyNumber, added.safetyNumber, "both sides see the same safety number")
    assert.strictEqual((await json(bob, ["contact", "verify", "alice"])).safetyNumber, added.safetyNumber)
    const secondUse = await runBin(dirs.make(), ["contact", "add", invite.code])
    assert.notStrictEqual(secondUse.code, 0)

    // A live session in bob's home, then both daemons; a second daemon on one home is refused.
    const api = await bobSessions.open("api")
    const aliceDaemon = startDaemon(alice)
    const bobDaemon = startDaemon(bob)
    daemons.push(aliceDaemon, bobDaemon)
    await eventually("both daemons started", async () =>
      aliceDaemon.stderr().includes("daemon_started") && bobDaemon.stderr().includes("daemon_started")
        ? true
        : undefined
    )
    const second = await runBin(bob, ["daemon"])
    assert.strictEqual(second.code, 1)
    assert.include(second.stderr, "error DAEMON_RUNNING")

    // alice → bob's session "api": it lands in that session's inbox, marked remote, from alice.
    const sent = await json(alice, ["contact", "send", "bob", "build is green", "--body", "ship it", "--label", "api"])
    assert.strictEqual(sent.state, "queued")
    const landed = await eventually("the message in bob's inbox", async () => {
      const entries = await inbox(bob, "api")
      return entries.find((e) => e.subject === "build is green")
    })
    assert.strictEqual(landed.body, "ship it")
    assert.strictEqual(landed.origin, "remote")
    assert.strictEqual(JSON.stringify(landed.from).includes("alice"), true)

    // bob's session reads it: his daemon's receipt moves alice's copy to `read` and leaves bob's outbox.
    await api.ok("bridge_mark_read", { ids: [landed.id] })
    const receipted = await eventually("alice's copy read", async () => {
      const file = path.join(alice, "cloud", "sent", `${sent.messageId}.json`)
      const entry = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
      return entry?.state === "read" ? entry : undefined
    })
    assert.strictEqual(receipted.contact, "bob")
    assert.strictEqual(fs.readFileSync(path.join(bob, "cloud", "receipts", landed.id), "utf8"), "read\n")
    await eventually("bob's outbox empty", async () =>
      fs.readdirSync(path.join(bob, "cloud", "outbox")).some((n) => n.endsWith(".json")) ? undefined : true
    )

    // A message for a label with no live session is held, and delivered once such a session is live.
    await json(alice, ["contact", "send", "bob", "for later", "--body", "x", "--label", "later"])
    const held = path.join(bob, "cloud", "unrouted")
    await eventually("the held message", async () =>
      fs.existsSync(held) && fs.readdirSync(held).some((n) => n.endsWith(".json")) ? true : undefined
    )
    await bobSessions.open("later")
    await eventually("the held message delivered", async () =>
      (await inbox(bob, "later")).find((e) => e.subject === "for later")
    )

    // Presence: bob's sessions are visible to alice within one interval.
    const seen = await eventually("bob's sessions in alice's view", async () => {
      const s = await json(alice, ["contact", "sessions", "bob"])
      const labels = (s.contacts[0]?.sessions ?? []).map((x: any) => x.label).sort()
      return labels.includes("api") && labels.includes("later") ? s : undefined
    })
    assert.strictEqual(seen.stale, false)
    assert.strictEqual(seen.contacts[0].handle, "bob")

    // SIGTERM: alice's daemon exits 0 and gives the home back.
    assert.strictEqual(await stopDaemon(aliceDaemon), 0)
    assert.include(aliceDaemon.stderr(), "daemon_stopped")
    assert.isFalse(fs.existsSync(path.join(alice, "cloud", "daemon.pid")))

    // bob revokes; alice (her daemon down, her pin still active) queues one more; her daemon's send is refused.
    const revoked = await json(bob, ["contact", "revoke", "alice"])
    assert.strictEqual(revoked.relay, "revoked")
    const late = await json(alice, ["contact", "send", "bob", "after revoke", "--body", "no", "--label", "api"])
    const aliceAgain = startDaemon(alice)
    daemons.push(aliceAgain)
    const refused = await eventually("the refused send", async () => {
      const file = path.join(alice, "cloud", "sent", `${late.messageId}.json`)
      return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined
    })
    assert.strictEqual(refused.state, "refused:revoked")
    const again = await runBin(alice, ["contact", "send", "bob", "again", "--body", "no"])
    assert.strictEqual(again.code, 1)
    assert.include(again.stderr, "CONTACT_REVOKED")
    assert.isUndefined((await inbox(bob, "api")).find((e) => e.subject === "after revoke"))

    // Logs: one JSON line per event, never a body, a subject or a token.
    const token = JSON.parse(fs.readFileSync(path.join(alice, "cloud", "credentials.json"), "utf8")).token
    for (const log of [aliceDaemon.stderr(), aliceAgain.stderr(), bobDaemon.stderr()]) {
      for (const line of log.split("\n").filter((l) => l !== "")) assert.doesNotThrow(() => JSON.parse(line), line)
      for (const secret of ["ship it", "build is green", "for later", token]) assert.notInclude(log, secret)
    }
    assert.strictEqual(await stopDaemon(bobDaemon), 0)
    assert.strictEqual(await stopDaemon(aliceAgain), 0)
  }, 90_000)
})
