import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { TEMP_PREFIX } from "../../src/services/store/Store.js"
import { ensureBuilt } from "../support/build.js"
import { scratchDirs } from "../support/cliRun.js"
import { type McpHandle, spawnMcp, testSessionId } from "../support/mcpClient.js"
import { RELAY_BIN, type Relay, startRelay, stopRelay } from "../relay/relayProcess.js"
import {
  cliJson as json,
  type Daemon,
  eventually,
  freePort,
  seededRandom,
  startDaemon,
  stopDaemon
} from "../support/cloudProcesses.js"

/*
 * Exactly once under kill -9 (CLOUD.md 2.7, docs/cloud.md "What is proven"): a stream of messages from alice's
 * session to bob's, while bob's daemon is killed with SIGKILL 20 times and the relay 10 times (restarted on the
 * same SQLite database and port). At the end every message the relay accepted is in exactly one inbox file of
 * bob's home, none twice, nothing held back, no temp file left beside them, every file a whole message.
 * The kill schedule comes from a seeded generator: SB_KILL_SEED=<seed> replays a failing run's schedule;
 * SB_KILL_MESSAGES=<n> shortens the stream while debugging, SB_KILL_KEEP=1 keeps the homes and the logs.
 */

const MESSAGES = Number(process.env["SB_KILL_MESSAGES"] ?? 500)
const DAEMON_KILLS = 20
const RELAY_KILLS = 10
/** How long the queue may take to drain after the kills (generous: CI machines are shared). */
const DRAIN_MS = 150_000
const OFF = { SESSION_BRIDGE_REMOTE_RATE: "off" }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const note = (line: string) => void process.stderr.write(`${line}\n`)

/**
 * Every message file under a home's inbox/, parsed (a partial file fails the parse). A kill -9 in the middle of a
 * write may leave the store's own `.tmp-` file behind: never listed, removed by the store's gc, so only counted;
 * anything else beside the messages is stray.
 */
const inboxFiles = (home: string) => {
  const root = path.join(home, "inbox")
  const files: Array<{ file: string; envelope: any }> = []
  const stray: Array<string> = []
  let temps = 0
  if (!fs.existsSync(root)) return { files, stray, temps }
  for (const session of fs.readdirSync(root)) {
    const dir = path.join(root, session)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(TEMP_PREFIX)) temps++
      else if (!name.endsWith(".json")) stray.push(name)
      else files.push({ file: name, envelope: JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) })
    }
  }
  return { files, stray, temps }
}

const jsonFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(".json")) : [])

describe("exactly once under kill -9", () => {
  const dirs = scratchDirs("sb-kill-e2e-")
  const seed = Number(process.env["SB_KILL_SEED"] ?? Math.floor(Math.random() * 2 ** 31))
  let relay: Relay
  let relayHome: string
  let port: number
  let alice: string
  let bob: string
  let aliceDaemon: Daemon
  let bobDaemon: Daemon
  const sessions: Array<McpHandle> = []
  const bobLogs: Array<string> = []

  const relayUp = () =>
    startRelay({
      home: relayHome,
      command: [RELAY_BIN, "--port", String(port)],
      args: ["--rate-limits", "off", "--db", path.join(relayHome, "relay.db")],
      // A loaded CI machine can take several seconds to start a relay.
      startTimeoutMs: 60_000
    })

  beforeAll(async () => {
    await ensureBuilt()
    relayHome = dirs.make()
    port = await freePort()
    relay = await relayUp()
    alice = dirs.make()
    bob = dirs.make()
  }, 120_000)

  afterAll(async () => {
    for (const s of sessions) await s.close()
    await stopDaemon(aliceDaemon)
    await stopDaemon(bobDaemon)
    await stopRelay(relay)
    if (process.env["SB_KILL_KEEP"] === undefined) dirs.removeAll()
    else {
      fs.writeFileSync(path.join(bob, "daemon.log"), [...bobLogs, bobDaemon.stderr()].join("\n--- kill -9\n"))
      fs.writeFileSync(path.join(alice, "daemon.log"), aliceDaemon.stderr())
      fs.writeFileSync(path.join(relayHome, "relay.log"), relay.stderr())
      note(`kept ${alice} ${bob} ${relayHome}`)
    }
  })

  it("every accepted message lands in exactly one inbox file of the receiver", async () => {
    // Printed so that a failure can be replayed with SB_KILL_SEED.
    note(`exactly-once kill test seed: ${seed}`)
    const random = seededRandom(seed)
    await json(alice, ["cloud", "register", "--relay", relay.url, "--handle", "alice"])
    await json(bob, ["cloud", "register", "--relay", relay.url, "--handle", "bob"])
    const invite = await json(alice, ["contact", "invite"])
    await json(bob, ["contact", "add", invite.code])
    await json(alice, ["contact", "accept", "bob"])

    const receiver = await spawnMcp({ home: bob, sessionId: testSessionId(), label: "api", env: OFF })
    sessions.push(receiver)
    await receiver.ok("bridge_whoami")
    const sender = await spawnMcp({ home: alice, sessionId: testSessionId(), label: "load", env: OFF })
    sessions.push(sender)
    await sender.ok("bridge_whoami")
    aliceDaemon = startDaemon(alice, OFF)
    bobDaemon = startDaemon(bob, OFF)

    // The stream: alice's session queues the messages while the kills go on.
    const ids: Array<string> = []
    const started = Date.now()
    let queuedAt = 0
    const stream = (async () => {
      for (let i = 0; i < MESSAGES; i++) {
        const sent = await sender.ok("bridge_send_message", {
          to: { contact: "bob", label: "api" },
          subject: `m${i}`,
          body: `message ${i} of the stream`
        })
        ids.push(sent.id ?? sent.messageId)
        if (i % 50 === 49) await sleep(150)
      }
      queuedAt = Date.now() - started
    })().then(
      () => undefined,
      (e: unknown) => e
    )

    // The kills, each after a random pause: 20 of bob's daemon (restarted at once, so some land while it starts),
    // and, alongside, 10 of the relay (restarted on the same database and port).
    const daemonKills = (async () => {
      for (let i = 0; i < DAEMON_KILLS; i++) {
        await sleep(300 + Math.floor(random() * 1200))
        bobDaemon.child.kill("SIGKILL")
        await bobDaemon.exited
        bobLogs.push(bobDaemon.stderr())
        bobDaemon = startDaemon(bob, OFF)
      }
    })()
    const relayPauses = Array.from({ length: RELAY_KILLS }, () => 800 + Math.floor(random() * 1600))
    const relayKills = (async () => {
      for (const pause of relayPauses) {
        await sleep(pause)
        await stopRelay(relay, "SIGKILL")
        relay = await relayUp()
      }
    })()
    await Promise.all([daemonKills, relayKills])
    const streamFailed = await stream
    if (streamFailed !== undefined) throw streamFailed
    const killedAt = Date.now()

    // Every message is carried; the outbox drains and each is in sent/ as accepted by the relay.
    const sentDir = path.join(alice, "cloud", "sent")
    const accepted = await eventually(
      "alice's outbox drained",
      async () => {
        const waiting = jsonFiles(path.join(alice, "cloud", "outbox")).length
        if (waiting > 0) return undefined
        const states = jsonFiles(sentDir).map((n) => JSON.parse(fs.readFileSync(path.join(sentDir, n), "utf8")))
        return states.length >= MESSAGES ? states : undefined
      },
      DRAIN_MS
    )
    for (const s of accepted) assert.oneOf(s.state, ["stored", "delivered"], `message ${s.id}`)
    const acceptedIds = new Set(accepted.map((s) => s.id as string))
    assert.strictEqual(acceptedIds.size, MESSAGES)
    for (const id of ids) assert.isTrue(acceptedIds.has(id), `sent ${id} is accepted`)

    // Every accepted message reaches bob's session "api", once.
    const landed = await eventually(
      "every message in bob's inbox",
      async () => {
        const { files } = inboxFiles(bob)
        return files.filter((f) => f.envelope.origin === "remote").length >= MESSAGES ? files : undefined
      },
      DRAIN_MS
    ).catch((e) => {
      const { files } = inboxFiles(bob)
      const have = new Set(files.map((f) => f.envelope.remoteId))
      const missing = [...acceptedIds].filter((id) => !have.has(id))
      throw new Error(`${e.message}: ${missing.length} missing (seed ${seed}), e.g. ${missing.slice(0, 3).join(", ")}`)
    })
    // Let the daemon run a little longer: a late duplicate would show up now.
    await sleep(1_500)
    const { files, stray, temps } = inboxFiles(bob)
    const perId = new Map<string, number>()
    for (const f of files) perId.set(f.envelope.remoteId, (perId.get(f.envelope.remoteId) ?? 0) + 1)
    const twice = [...perId.entries()].filter(([, n]) => n > 1)
    assert.deepStrictEqual(twice, [], `messages in more than one inbox file (seed ${seed})`)
    assert.strictEqual(files.length, MESSAGES, `inbox files (seed ${seed})`)
    assert.deepStrictEqual([...perId.keys()].sort(), [...acceptedIds].sort())
    assert.isAtLeast(landed.length, MESSAGES)
    assert.deepStrictEqual(stray, [], "no temp or partial file beside the messages")
    assert.deepStrictEqual(jsonFiles(path.join(bob, "cloud", "unrouted")), [], "nothing held back")
    assert.deepStrictEqual(jsonFiles(path.join(bob, "cloud", "quarantine")), [], "nothing quarantined")

    // What bob's session sees through its tool: each message once.
    const listed = await receiver.ok("bridge_list_inbox", { all: true, limit: 1000 })
    const listedIds = listed.entries.map((e: { id: string }) => e.id)
    assert.strictEqual(listed.unread, MESSAGES)
    assert.deepStrictEqual([...listedIds].sort(), files.map((f) => f.envelope.id).sort())
    assert.strictEqual(listedIds.length, MESSAGES)
    note(
      `exactly-once (seed ${seed}): ${MESSAGES} messages queued in ${queuedAt} ms; ${DAEMON_KILLS} daemon and ` +
        `${RELAY_KILLS} relay kills in ` +
        `${killedAt - started} ms, drained ${Date.now() - killedAt} ms later; ${temps} temp file(s) left by the kills`
    )
  }, 360_000)
})
