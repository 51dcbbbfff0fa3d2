import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { sha256Hex } from "../bridge/Hash.js"
import { Internal } from "../domain/Errors.js"
import { checkRelayDrivers } from "../relay/Drivers.js"
import { failed, type Peer, spawnPeer } from "./DemoPeer.js"
import { type Background, jsonOn, runOn, startOn } from "./DemoProcesses.js"
import { printErrorText, printText } from "./Output.js"
import { setExitCode } from "./Runtime.js"

/*
 * `demo --cloud`: the cloud layer end to end on one machine. A relay (SQLite in a temporary directory, a random
 * loopback port), two homes standing for two machines with their daemons, the contact made through the real
 * commands, a session on each side (a real `session-bridge mcp`), a message with an artifact across, the hook's
 * inbox block on the receiving side, a reply back, then a revocation and the send it refuses. Every process is
 * tied to one scope: the end of the demo, a failure or Ctrl-C stops them all and the directory is removed.
 */

const say = (line: string) => printText(line)
const short = (id: string) => `${id.slice(0, 10)}…`

/** The daemons' presence interval: contacts' states (a revocation) are seen within half of it. */
const PRESENCE_MS = "1000"

const check = (ok: boolean, message: string) =>
  ok ? Effect.void : Effect.fail(new Internal({ message: `demo: ${message}` }))

/** Polls `probe` until it gives a value, for at most `seconds`. */
const until = <A, E, R>(what: string, probe: Effect.Effect<A | undefined, E, R>, seconds = 30) =>
  Effect.gen(function* () {
    for (;;) {
      const value = yield* probe
      if (value !== undefined) return value
      yield* Effect.sleep("100 millis")
    }
  }).pipe(
    Effect.timeoutFail({
      duration: `${seconds} seconds`,
      onTimeout: () => new Internal({ message: `demo: ${what} did not happen within ${seconds} s` })
    })
  )

/** The inbox block bob's host would inject on its next prompt: the real hook process, as the session `peer`. */
const hookBlock = (home: string, peer: Peer) =>
  Effect.gen(function* () {
    const payload = JSON.stringify({
      session_id: `demo-${peer.label}`,
      cwd: home,
      hook_event_name: "UserPromptSubmit",
      transcript_path: "/dev/null",
      prompt: "continue"
    })
    const ran = yield* runOn(home, ["hook", "UserPromptSubmit", "--provider", "claude-code"], payload, {
      SESSION_BRIDGE_SESSION_ID: peer.sessionId
    })
    yield* check(ran.code === 0, `the hook exited ${ran.code}: ${ran.stderr.trim().slice(0, 300)}`)
    const parsed = yield* Effect.try({
      try: () => JSON.parse(ran.stdout) as { hookSpecificOutput?: { additionalContext?: unknown } },
      catch: failed("the hook's output")
    })
    return String(parsed.hookSpecificOutput?.additionalContext ?? "")
  })

const script = (dir: string) =>
  Effect.gen(function* () {
    const [relayHome, alice, bob] = [`${dir}/relay`, `${dir}/alice`, `${dir}/bob`]
    const fs = yield* FileSystem.FileSystem
    for (const home of [relayHome, alice, bob])
      yield* fs.makeDirectory(home, { mode: 0o700 }).pipe(Effect.mapError(failed(`creating ${home}`)))
    yield* say(`Temporary directory: ${dir}\n`)

    yield* say("1. A relay: session-bridge relay on 127.0.0.1, a random port, SQLite in the temporary directory")
    const relay = yield* startOn(
      relayHome,
      ["relay", "--host", "127.0.0.1", "--port", "0", "--rate-limits", "off"],
      "the relay"
    )
    const url = (yield* relay.waitFor(/"event":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/, "listening"))[1]!
    yield* say(`   listening on ${url} (pid ${relay.pid})`)

    yield* say("\n2. Two machines: two homes, each registered on the relay")
    for (const [home, handle] of [
      [alice, "alice"],
      [bob, "bob"]
    ] as const) {
      const account = yield* jsonOn(home, ["cloud", "register", "--relay", url, "--handle", handle])
      yield* say(`   ${handle}: cloud register → account ${account.accountId}, home ${home}`)
    }

    yield* say("\n3. The contact: alice invites, bob adds, alice accepts")
    const invite = yield* jsonOn(alice, ["contact", "invite"])
    yield* say(`   alice: contact invite → ${invite.code} (single use, valid 24 h)`)
    const added = yield* jsonOn(bob, ["contact", "add", invite.code])
    yield* say(`   bob: contact add → ${added.handle}, ${added.state}; safety number ${added.safetyNumber}`)
    const accepted = yield* jsonOn(alice, ["contact", "accept", "bob"])
    yield* say(`   alice: contact accept bob → ${accepted.state}; safety number ${accepted.safetyNumber}`)
    yield* check(accepted.safetyNumber === added.safetyNumber, "the two sides see different safety numbers")
    yield* say("   Both sides see the same safety number: nobody is in between.")

    yield* say("\n4. A daemon on each machine, and a session on each: alice's dev, bob's api (session-bridge mcp)")
    const daemons: Array<Background> = []
    for (const [home, handle] of [
      [alice, "alice"],
      [bob, "bob"]
    ] as const) {
      const daemon = yield* startOn(home, ["daemon", "--presence-interval-ms", PRESENCE_MS], `${handle}'s daemon`)
      yield* daemon.waitFor(/"event":"daemon_started"/, "its start")
      yield* say(`   ${handle}: session-bridge daemon (pid ${daemon.pid})`)
      daemons.push(daemon)
    }
    const [aliceDaemon] = daemons
    const [dev, api] = yield* Effect.all([spawnPeer(alice, "dev"), spawnPeer(bob, "api")], { concurrency: 2 })
    for (const peer of [dev, api]) yield* peer.call("bridge_whoami")

    yield* say("\n5. alice's dev sends bob's api a message with an artifact")
    const plan = "# Plan\n\n1. Parse the config.\n2. Validate it.\n3. Ship it.\n"
    const posted = yield* dev.call("bridge_post_artifact", { text: plan, name: "plan.md", mimeType: "text/markdown" })
    yield* say(
      `   dev: bridge_post_artifact plan.md → sha256 ${String(posted.sha256).slice(0, 16)}…, ${posted.size} bytes`
    )
    const sent = yield* dev.call("bridge_send_message", {
      to: { contact: "bob", label: "api" },
      subject: "Plan for the config parser",
      body: "Here is the plan; the details are in the attached file.",
      artifacts: [posted.sha256]
    })
    yield* say(
      `   dev: bridge_send_message to contact bob, label api → ${short(String(sent.messageId))}, ${sent.delivery.state}`
    )

    const arrived = yield* until(
      "the message's arrival in bob's inbox",
      Effect.map(api.call("bridge_list_inbox", { all: true }), (listed) =>
        (listed.entries as ReadonlyArray<any>).find((e) => e.subject === "Plan for the config parser")
      )
    )
    yield* say("\n6. bob's next prompt: the hook shows the message, framed as remote")
    const block = yield* hookBlock(bob, api)
    yield* check(block.includes("Plan for the config parser"), "the hook did not show the message")
    yield* say(
      block
        .split("\n")
        .map((l) => `   ${l}`)
        .join("\n")
    )

    yield* say("\n7. bob reads it, fetches the artifact and replies")
    const read = yield* api.call("bridge_read_message", { id: arrived.id })
    yield* check(read.origin === "remote" && read.from.contact === "alice", "the message is not marked as from alice")
    yield* say(
      `   api: bridge_read_message → "${read.subject}" from ${read.from.contact}/${read.from.label} (${read.origin})`
    )
    const fetched = yield* api.call("bridge_get_artifact", { sha256: posted.sha256, encoding: "text" })
    yield* check((yield* sha256Hex(String(fetched.content))) === posted.sha256, "the artifact's bytes differ")
    yield* say(`   api: bridge_get_artifact → ${fetched.size} bytes; sha256 recomputed and verified`)
    const reply = yield* api.call("bridge_send_message", {
      to: {},
      subject: "Re: Plan for the config parser",
      body: "Looks good. Starting on step 1.",
      replyTo: arrived.id
    })
    yield* say(`   api: bridge_send_message reply → ${short(String(reply.messageId))}, ${reply.delivery.state}`)

    yield* say("\n8. alice's dev waits for the reply")
    const woke = yield* dev.call("bridge_wait_for_message", { timeoutSec: 30 })
    yield* check(woke.timedOut !== true, "the reply did not reach alice within 30 s")
    yield* say(
      `   dev: bridge_wait_for_message → "${woke.message.subject}" from ${woke.message.from.contact}/${woke.message.from.label}`
    )
    const thread = yield* dev.call("bridge_get_thread", { messageId: woke.message.id })
    yield* say(
      `   dev: bridge_get_thread → ${thread.messages.length} messages; the first is ${thread.messages[0].delivery?.state ?? "sent"}`
    )

    yield* say("\n9. bob revokes alice; alice's next send is refused")
    const revoked = yield* jsonOn(bob, ["contact", "revoke", "alice"])
    yield* say(`   bob: contact revoke alice → ${revoked.state ?? "revoked"} (relay: ${revoked.relay})`)
    yield* aliceDaemon!.waitFor(/"event":"contact_revoked"/, "the revocation")
    yield* say("   alice's daemon: contact_revoked bob")
    const code = yield* dev.refusal("bridge_send_message", {
      to: { contact: "bob", label: "api" },
      subject: "one more"
    })
    yield* check(code === "CONTACT_REVOKED", `the send after the revocation was refused with ${code}`)
    yield* say(`   dev: bridge_send_message to contact bob → refused: ${code}`)
    yield* say("\nCloud demo complete: a contact made, a message and an artifact across, a reply back, a revocation.")
  }).pipe(Effect.scoped)

/** `demo --cloud`: the relay's packages first (RELAY_DRIVER_MISSING), then the script in a temporary directory. */
export const runCloud = (options: { readonly keep: boolean }) =>
  Effect.gen(function* () {
    const drivers = yield* Effect.either(checkRelayDrivers(["sqlite"]))
    if (drivers._tag === "Left") {
      const e = drivers.left
      yield* printErrorText(`error ${e.code}: demo --cloud runs a relay, and ${e.message}\nhint: ${e.hint}`)
      return yield* setExitCode(1)
    }
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs
      .makeTempDirectory({ prefix: "session-bridge-cloud-demo-" })
      .pipe(Effect.mapError(failed("creating a temporary directory")))
    yield* script(dir).pipe(
      Effect.ensuring(
        options.keep
          ? say(`Kept ${dir} (remove it when done).`)
          : fs.remove(dir, { recursive: true }).pipe(
              Effect.zipRight(say(`Removed ${dir}.`)),
              Effect.catchAll(() => say(`Could not remove ${dir}.`))
            )
      )
    )
  })
