import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ensureBuilt } from "../support/build.js"
import { mcpServers, runBin, scratchDirs } from "../support/cliRun.js"
import {
  cliJson as json,
  type Daemon,
  eventually as eventuallyWithin,
  inboxOf as inbox,
  startDaemon,
  stopDaemon
} from "../support/cloudProcesses.js"
import { call, type Relay, startRelay, stopRelay } from "../relay/relayProcess.js"

/*
 * Rotation over real processes: one relay, two homes with their daemons, everything through the CLI with --json.
 * alice rotates her token while her daemon runs (the old token is 401 at once, the daemon keeps carrying mail), then
 * her identity key (bob's daemon follows the signed statement, logs the notice, and keeps receiving from her), and
 * withdraws an invite (redeeming it is INVITE_INVALID).
 */

/** The shared wait, with more room: a rotation is several relay round trips on each side. */
const eventually = <A>(what: string, check: () => Promise<A | undefined>) => eventuallyWithin(what, check, 15_000)

const tokenOf = (home: string) =>
  JSON.parse(fs.readFileSync(path.join(home, "cloud", "credentials.json"), "utf8")).token as string

describe("cloud rotation across real processes", () => {
  const dirs = scratchDirs("sb-cloud-rot-")
  let relay: Relay
  let alice: string
  let bob: string
  const daemons: Array<Daemon> = []
  let aliceSessions: ReturnType<typeof mcpServers>
  let bobSessions: ReturnType<typeof mcpServers>

  beforeAll(async () => {
    await ensureBuilt()
    relay = await startRelay({ home: dirs.make(), args: ["--rate-limits", "off"] })
    alice = dirs.make()
    bob = dirs.make()
    aliceSessions = mcpServers(alice)
    bobSessions = mcpServers(bob)
  }, 120_000)

  afterAll(async () => {
    await aliceSessions.closeAll()
    await bobSessions.closeAll()
    for (const d of daemons) await stopDaemon(d)
    await stopRelay(relay)
    dirs.removeAll()
  })

  it("token rotate, rotate-identity and contact uninvite, with both daemons running", async () => {
    await json(alice, ["cloud", "register", "--relay", relay.url, "--handle", "alice"])
    await json(bob, ["cloud", "register", "--relay", relay.url, "--handle", "bob"])
    const invite = await json(alice, ["contact", "invite"])
    await json(bob, ["contact", "add", invite.code])
    const accepted = await json(alice, ["contact", "accept", "bob"])
    await aliceSessions.open("front")
    await bobSessions.open("api")
    const aliceDaemon = startDaemon(alice)
    const bobDaemon = startDaemon(bob)
    daemons.push(aliceDaemon, bobDaemon)
    await eventually("both daemons started", async () =>
      aliceDaemon.stderr().includes("daemon_started") && bobDaemon.stderr().includes("daemon_started")
        ? true
        : undefined
    )

    // Token: the old one is refused at once, the new one is on disk, the daemon keeps carrying mail.
    const oldToken = tokenOf(alice)
    const rotated = await json(alice, ["cloud", "token", "rotate"])
    assert.strictEqual(rotated.handle, "alice")
    assert.isTrue(rotated.rotated)
    assert.notProperty(rotated, "token")
    const newToken = tokenOf(alice)
    assert.notStrictEqual(newToken, oldToken)
    assert.strictEqual((await call(relay.url, "GET", "/v1/account", { token: oldToken })).status, 401)
    assert.strictEqual((await call(relay.url, "GET", "/v1/account", { token: newToken })).status, 200)
    assert.strictEqual(fs.statSync(path.join(alice, "cloud", "credentials.json")).mode & 0o777, 0o600)
    await json(alice, ["contact", "send", "bob", "after token rotate", "--body", "x", "--label", "api"])
    await eventually("alice's message after the token rotation", async () =>
      (await inbox(bob, "api")).find((e) => e.subject === "after token rotate")
    )
    await json(bob, ["contact", "send", "alice", "to rotated token", "--body", "x", "--label", "front"])
    await eventually("bob's message to alice's daemon after the rotation", async () =>
      (await inbox(alice, "front")).find((e) => e.subject === "to rotated token")
    )
    assert.strictEqual(aliceDaemon.child.exitCode, null, "alice's daemon still runs")

    // Identity: bob's daemon follows the statement, shows the notice, and keeps receiving from alice.
    const identity = await json(alice, ["cloud", "rotate-identity"])
    assert.notStrictEqual(identity.newFingerprint, identity.oldFingerprint)
    assert.isFalse(identity.resumed)
    const notice = await eventually("bob's notice", async () =>
      bobDaemon
        .stderr()
        .split("\n")
        .find((l) => l.includes('"contact_identity_rotated"'))
    )
    assert.include(notice, '"handle":"alice"')
    const listed = await json(bob, ["contact", "list"])
    const row = listed.contacts.find((c: any) => c.handle === "alice")
    assert.isNumber(row.identityChangedAt)
    assert.isFalse(row.keyChanged)
    assert.notStrictEqual(row.safetyNumber, accepted.safetyNumber)
    const verified = await json(bob, ["contact", "verify", "alice"])
    assert.strictEqual(verified.theirFingerprint, identity.newFingerprint)
    assert.strictEqual((await json(alice, ["contact", "verify", "bob"])).safetyNumber, verified.safetyNumber)
    await json(alice, ["contact", "send", "bob", "signed by the new key", "--body", "x", "--label", "api"])
    await eventually("alice's message under her new key", async () =>
      (await inbox(bob, "api")).find((e) => e.subject === "signed by the new key")
    )
    await json(bob, ["contact", "send", "alice", "sealed to the new key", "--body", "x", "--label", "front"])
    await eventually("bob's message to alice's new key", async () =>
      (await inbox(alice, "front")).find((e) => e.subject === "sealed to the new key")
    )
    assert.notMatch(bobDaemon.stderr(), /"quarantined":[1-9]|envelope quarantined/)
    assert.notMatch(aliceDaemon.stderr(), /"quarantined":[1-9]|envelope quarantined/)

    // Invite withdrawal: redeeming a withdrawn code is INVITE_INVALID.
    const spare = await json(alice, ["contact", "invite"])
    assert.deepStrictEqual(await json(alice, ["contact", "uninvite", spare.code]), {
      withdrawn: true,
      secretRemoved: true
    })
    const carol = dirs.make()
    await json(carol, ["cloud", "register", "--relay", relay.url, "--handle", "carol"])
    const redeemed = await runBin(carol, ["contact", "add", spare.code])
    assert.strictEqual(redeemed.code, 1)
    assert.include(redeemed.stderr, "INVITE_INVALID")

    // Logs never carry a token.
    for (const log of [aliceDaemon.stderr(), bobDaemon.stderr()])
      for (const secret of [oldToken, newToken]) assert.notInclude(log, secret)
    assert.strictEqual(await stopDaemon(aliceDaemon), 0)
    assert.strictEqual(await stopDaemon(bobDaemon), 0)
  }, 120_000)
})
