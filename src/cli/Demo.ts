import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { Internal } from "../domain/Errors.js"
import { sha256Hex } from "../bridge/Hash.js"
import { failed, spawnPeer } from "./DemoPeer.js"
import { listed } from "./Help.js"
import { printText } from "./Output.js"

const keepOption = Options.boolean("keep").pipe(
  Options.withDescription("Keep the temporary home instead of removing it")
)

const say = (line: string) => printText(line)
const short = (id: string) => `${id.slice(0, 10)}…`

const script = (home: string) =>
  Effect.gen(function* () {
    yield* say(`Temporary home: ${home}\n`)
    yield* say("Starting two MCP servers, as two host sessions would: alice and bob.")
    const [alice, bob] = yield* Effect.all([spawnPeer(home, "alice"), spawnPeer(home, "bob")], { concurrency: 2 })

    for (const peer of [alice, bob]) {
      const me = yield* peer.call("bridge_whoami")
      yield* say(
        `  ${peer.label}: bridge_whoami → session ${short(String(me.sessionId))}, label ${me.label}, provider ${me.provider}`
      )
    }

    const plan = "# Plan\n\n1. Parse the config.\n2. Validate it.\n3. Ship it.\n"
    const posted = yield* alice.call("bridge_post_artifact", { text: plan, name: "plan.md", mimeType: "text/markdown" })
    yield* say(
      `\nalice: bridge_post_artifact plan.md → sha256 ${String(posted.sha256).slice(0, 16)}…, ${posted.size} bytes`
    )

    yield* say("bob: bridge_wait_for_message (waiting on the store's watch) …")
    const waiting = yield* Effect.fork(bob.call("bridge_wait_for_message", { timeoutSec: 30 }))
    yield* Effect.sleep("200 millis")
    const sentAt = yield* Clock.currentTimeMillis
    const sent = yield* alice.call("bridge_send_message", {
      to: { label: "bob" },
      subject: "Plan for the config parser",
      body: "Here is the plan; the details are in the attached file.",
      artifacts: [posted.sha256]
    })
    yield* say(`alice: bridge_send_message to label "bob" → message ${short(String(sent.messageId))}`)
    const woke = yield* waiting.await.pipe(Effect.flatten)
    const wokeAt = yield* Clock.currentTimeMillis
    if (woke.timedOut === true)
      return yield* new Internal({ message: "demo: bob's wait timed out; the message did not arrive" })
    yield* say(
      `bob: woke ${wokeAt - sentAt} ms after the send with "${woke.message.subject}" from ${woke.message.from.label}`
    )

    const read = yield* bob.call("bridge_read_message", { id: sent.messageId })
    yield* say(`bob: bridge_read_message → "${read.subject}": ${read.body}`)
    const attached: ReadonlyArray<any> = read.artifacts
    yield* say(
      `     attached: ${attached.map((a) => `${a.name ?? a.sha256} (${a.size} bytes, ${a.mimeType})`).join(", ")}`
    )

    const fetched = yield* bob.call("bridge_get_artifact", { sha256: posted.sha256, encoding: "text" })
    const text = String(fetched.content)
    const check = yield* sha256Hex(text)
    if (check !== posted.sha256) {
      return yield* new Internal({
        message: `demo: the fetched artifact hashes to ${check}, expected ${posted.sha256}`
      })
    }
    yield* say(`bob: bridge_get_artifact → ${fetched.size} bytes; sha256 recomputed and verified`)

    const reply = yield* bob.call("bridge_send_message", {
      to: { sessionId: alice.sessionId },
      subject: "Re: Plan for the config parser",
      body: "Looks good. Starting on step 1.",
      replyTo: sent.messageId
    })
    yield* say(
      `bob: bridge_send_message reply → message ${short(String(reply.messageId))} in thread ${short(String(reply.threadId))}`
    )

    const thread = yield* alice.call("bridge_get_thread", { messageId: reply.messageId })
    const messages: ReadonlyArray<any> = thread.messages
    yield* say(`alice: bridge_get_thread → ${messages.length} messages, oldest first:`)
    for (const m of messages) yield* say(`  - ${m.from.label}: ${m.subject}`)
    if (messages.length !== 2)
      return yield* new Internal({ message: `demo: expected 2 messages in the thread, got ${messages.length}` })
    yield* say("\nDemo complete: two sessions exchanged a message, an artifact and a reply.")
  }).pipe(Effect.scoped)

/** Two real MCP servers on a throw-away home, exchanging a message, an artifact and a reply. */
export const run = (options: { readonly keep: boolean }) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const home = yield* fs
      .makeTempDirectory({ prefix: "session-bridge-demo-" })
      .pipe(Effect.mapError(failed("creating a temporary home")))
    yield* script(home).pipe(
      Effect.ensuring(
        options.keep
          ? say(`Kept ${home} (remove it when done).`)
          : fs.remove(home, { recursive: true }).pipe(
              Effect.zipRight(say(`Removed ${home}.`)),
              Effect.catchAll(() => say(`Could not remove ${home}.`))
            )
      )
    )
  })

const cloudOption = Options.boolean("cloud").pipe(
  Options.withDescription(
    "The cloud layer instead: a relay, two homes with their daemons, a contact, a message and an artifact across"
  )
)

const demoCommand = Command.make("demo", { keep: keepOption, cloud: cloudOption }, ({ keep, cloud }) =>
  cloud
    ? Effect.flatMap(
        Effect.promise(() => import("./CloudDemo.js")),
        (m) => m.runCloud({ keep })
      )
    : run({ keep })
)

/** demo. */
export const demoCommands = [
  listed(
    "sessions",
    "Run two real sessions on a temporary home: message, artifact, wait, reply (--cloud: across two homes)",
    demoCommand
  )
] as const
