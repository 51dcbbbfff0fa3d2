import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type BridgeFailure, ErrorCode, Internal } from "../domain/Errors.js"
import { sha256Hex } from "../bridge/Hash.js"
import { HostEnv } from "../services/HostEnv.js"
import { Ids } from "../services/Ids.js"
import { listed } from "./Help.js"
import { printText } from "./Output.js"

const keepOption = Options.boolean("keep").pipe(
  Options.withDescription("Keep the temporary home instead of removing it")
)

/** One demo session: a real `session-bridge mcp` process driven by the MCP SDK client. */
interface Peer {
  readonly label: string
  readonly sessionId: string
  readonly call: (tool: string, args?: Record<string, unknown>) => Effect.Effect<any, BridgeFailure>
}

const isErrorCode = (u: unknown): u is ErrorCode => ErrorCode.literals.some((c) => c === u)

const failed = (what: string) => (cause: unknown) =>
  new Internal({ message: `demo: ${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** Spawns `session-bridge mcp` on `home` as `label` and connects a client; closed (process ended) with the scope. */
const spawnPeer = (home: string, label: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const sessionId = yield* Effect.flatMap(Ids, (ids) => ids.next)
    const sdk = yield* Effect.promise(() =>
      Promise.all([
        import("@modelcontextprotocol/sdk/client/index.js"),
        import("@modelcontextprotocol/sdk/client/stdio.js")
      ])
    )
    const [{ Client }, { StdioClientTransport }] = sdk
    const transport = new StdioClientTransport({
      command: env.execPath,
      args: [env.entryPath, "mcp"],
      cwd: home,
      stderr: "inherit",
      env: {
        PATH: Option.getOrElse(env.get("PATH"), () => "/usr/bin:/bin"),
        HOME: `${home}/user-home`,
        SESSION_BRIDGE_HOME: home,
        SESSION_BRIDGE_SESSION_ID: sessionId,
        SESSION_BRIDGE_LABEL: label
      }
    })
    const client: Client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const c = new Client({ name: "session-bridge-demo", version: "1.0.0" })
          await c.connect(transport)
          return c
        },
        catch: failed(`starting ${label}'s server`)
      }),
      (c) => Effect.promise(() => c.close().catch(() => undefined))
    )
    const call = (tool: string, args: Record<string, unknown> = {}) =>
      Effect.tryPromise({
        try: () => client.callTool({ name: tool, arguments: args }, undefined, { timeout: 60_000 }),
        catch: failed(`${label} ${tool}`)
      }).pipe(
        Effect.flatMap((result) => {
          const content = Array.isArray(result.content) ? result.content[0] : undefined
          const text = content?.type === "text" && typeof content.text === "string" ? content.text : "null"
          return Effect.try({ try: () => JSON.parse(text), catch: failed(`${label} ${tool}: unreadable result`) }).pipe(
            Effect.filterOrFail(
              () => result.isError !== true,
              (json) =>
                new Internal({
                  message: `${label} ${tool}: ${isErrorCode(json?.code) ? `${json.code}: ` : ""}${json?.message ?? text}`
                })
            )
          )
        })
      )
    return { label, sessionId, call } satisfies Peer
  })

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

const demoCommand = Command.make("demo", { keep: keepOption }, ({ keep }) => run({ keep }))

/** demo. */
export const demoCommands = [
  listed("sessions", "Run two real sessions on a temporary home: message, artifact, wait, reply", demoCommand)
] as const
