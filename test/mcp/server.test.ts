import { assert, describe, it } from "@effect/vitest"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { Context, DateTime, Effect, Layer, Logger, LogLevel, Option, Schema } from "effect"
import { IdentityUnresolved, RecipientNotFound } from "../../src/domain/Errors.js"
import type { ClientInfo } from "../../src/mcp/ClientInfo.js"
import * as McpServer from "../../src/mcp/Server.js"
import { NoArguments, readOnly, tool } from "../../src/mcp/ToolDef.js"
import { connect, type McpHandle } from "../support/mcpClient.js"

/** A stand-in for the domain: a greeting built from what initialize said about the client. */
class Greeting extends Context.Tag("test/Greeting")<Greeting, { readonly text: string }>() {}

const tools = [
  tool({
    name: "echo",
    title: "Echo",
    description: "Echoes its text.",
    input: Schema.Struct({ text: Schema.String, times: Schema.optional(Schema.Int.pipe(Schema.between(1, 3))) }),
    output: Schema.Struct({ text: Schema.String }),
    hints: readOnly,
    handler: ({ text, times }) => Effect.succeed({ text: text.repeat(times ?? 1) })
  }),
  tool({
    name: "greet",
    title: "Greet",
    description: "Greets, with the context.",
    input: NoArguments,
    output: Schema.Struct({ greeting: Schema.String }),
    hints: readOnly,
    handler: () => Effect.map(Greeting, (g) => ({ greeting: g.text }))
  }),
  tool({
    name: "refuse",
    title: "Refuse",
    description: "Always fails with a domain error.",
    input: NoArguments,
    output: Schema.Struct({}),
    hints: readOnly,
    handler: () => Effect.fail(new RecipientNotFound({ by: "label", value: "bob" }))
  }),
  tool({
    name: "crash",
    title: "Crash",
    description: "Dies.",
    input: NoArguments,
    output: Schema.Struct({}),
    hints: readOnly,
    handler: () => Effect.die(new Error("boom"))
  }),
  tool({
    name: "clock",
    title: "Clock",
    description: "Returns a time, encoded by its output Schema.",
    input: NoArguments,
    output: Schema.Struct({ at: Schema.DateTimeUtc, note: Schema.optionalWith(Schema.String, { exact: true }) }),
    hints: readOnly,
    handler: () => Effect.succeed({ at: DateTime.unsafeMake(0) })
  }),
  tool({
    name: "liar",
    title: "Liar",
    description: "Returns a value its output Schema does not encode.",
    input: NoArguments,
    output: Schema.Struct({ n: Schema.Number.pipe(Schema.positive()) }),
    hints: readOnly,
    handler: () => Effect.succeed({ n: -1 })
  }),
  tool({
    name: "optionalOnly",
    title: "Optional only",
    description: "Has only optional arguments.",
    input: Schema.Struct({ n: Schema.optional(Schema.Int) }),
    output: Schema.Struct({ n: Schema.Number }),
    hints: readOnly,
    handler: ({ n }) => Effect.succeed({ n: n ?? 0 })
  }),
  tool({
    name: "either",
    title: "Either",
    description: "Takes one of two shapes.",
    input: Schema.Union(Schema.Struct({ threadId: Schema.String }), Schema.Struct({ messageId: Schema.String })),
    output: Schema.Struct({ threadId: Schema.optional(Schema.String), messageId: Schema.optional(Schema.String) }),
    hints: readOnly,
    handler: (args) => Effect.succeed(args)
  })
]

/** Set when the `hang` tool's fiber is interrupted. */
let hangInterrupted = false

const hang = tool({
  name: "hang",
  title: "Hang",
  description: "Never returns.",
  input: NoArguments,
  output: Schema.Struct({}),
  hints: readOnly,
  handler: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void (hangInterrupted = true))))
})

interface Probe {
  builds: number
  clients: Array<Option.Option<ClientInfo>>
  failNext: boolean
}

const withServer = (probe: Probe, f: (client: McpHandle, server: McpServer.McpServer["Type"]) => Promise<void>) =>
  Effect.gen(function* () {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    const server = yield* McpServer.make({
      name: "test",
      version: "0.0.0",
      tools: [...tools, hang],
      transport: serverSide,
      context: (client) =>
        Layer.effect(
          Greeting,
          Effect.suspend(() => {
            probe.builds++
            probe.clients.push(client)
            if (probe.failNext) {
              probe.failNext = false
              return Effect.fail(new IdentityUnresolved({ message: "not yet" }))
            }
            return Effect.succeed({
              text: `hello ${Option.match(client, { onNone: () => "?", onSome: (c) => c.name })}`
            })
          })
        )
    })
    const client = yield* Effect.promise(() => connect(clientSide, { clientName: "claude-code" }))
    yield* Effect.promise(() => f(client, server))
  }).pipe(Effect.scoped)

const freshProbe = (): Probe => ({ builds: 0, clients: [], failNext: false })

/** Calls `hang`, cancels the call and checks that its fiber was interrupted. */
const cancelsHang = async (c: McpHandle) => {
  hangInterrupted = false
  const controller = new AbortController()
  const call = c.client.callTool({ name: "hang", arguments: {} }, undefined, { signal: controller.signal })
  await new Promise((resolve) => setTimeout(resolve, 50))
  controller.abort("changed my mind")
  await call.then(
    () => assert.fail("a cancelled call does not resolve"),
    () => undefined
  )
  for (let i = 0; i < 50 && !hangInterrupted; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.isTrue(hangInterrupted)
}

describe("McpServer", () => {
  it.live("lists every tool with top-level object schemas and no $schema/$defs/$ref noise", () =>
    withServer(freshProbe(), async (c) => {
      const { tools: listed } = await c.client.listTools()
      assert.deepStrictEqual(
        listed.map((t) => t.name),
        [...tools, hang].map((t) => t.name)
      )
      for (const t of listed) assert.strictEqual(t.inputSchema.type, "object")
      // Titles belong to the tools; the schemas carry none.
      const text = JSON.stringify(listed.map((t) => [t.inputSchema, t.outputSchema]))
      for (const noise of ["$schema", "$defs", "$ref", '"title"', '"required":[]']) assert.notInclude(text, noise)
      const echo = listed.find((t) => t.name === "echo")!
      assert.deepStrictEqual(echo.inputSchema.required, ["text"])
      assert.deepStrictEqual((echo.inputSchema.properties as any).times, { type: "integer", minimum: 1, maximum: 3 })
      const either = listed.find((t) => t.name === "either")!
      assert.deepStrictEqual(Object.keys(either.inputSchema.properties ?? {}), ["threadId", "messageId"])
      assert.isUndefined(either.inputSchema.required)
    })
  )

  it.live("decodes arguments with the tool's Schema and returns the handler's JSON", () =>
    withServer(freshProbe(), async (c) => {
      assert.deepStrictEqual(await c.ok("echo", { text: "ab", times: 2 }), { text: "abab" })
      assert.deepStrictEqual(await c.ok("either", { messageId: "m1" }), { messageId: "m1" })
      assert.deepStrictEqual(await c.ok("clock"), { at: "1970-01-01T00:00:00.000Z" })
    })
  )

  it.live("returns the encoded result as structuredContent and as the same JSON in one text block", () =>
    withServer(freshProbe(), async (c) => {
      await c.client.listTools()
      const result = await c.client.callTool({ name: "clock", arguments: {} })
      assert.deepStrictEqual(result.structuredContent, { at: "1970-01-01T00:00:00.000Z" })
      assert.deepStrictEqual(result.content, [{ type: "text", text: '{"at":"1970-01-01T00:00:00.000Z"}' }])
      const refused = await c.client.callTool({ name: "refuse", arguments: {} })
      assert.isTrue(refused.isError)
      assert.notProperty(refused, "structuredContent")
    })
  )

  it.live("lists each tool's title, hints and output schema generated from its output Schema", () =>
    withServer(freshProbe(), async (c) => {
      const { tools: listed } = await c.client.listTools()
      const clock = listed.find((t) => t.name === "clock")!
      assert.strictEqual(clock.title, "Clock")
      assert.deepStrictEqual(clock.annotations, {
        title: "Clock",
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false
      })
      assert.deepStrictEqual(clock.outputSchema, {
        type: "object",
        required: ["at"],
        properties: { at: { type: "string" }, note: { type: "string" } }
      })
    })
  )

  it.live("answers a result its output Schema does not encode with INTERNAL", () =>
    withServer(freshProbe(), async (c) => {
      assert.strictEqual(await c.errorCode("liar"), "INTERNAL")
    }).pipe(Logger.withMinimumLogLevel(LogLevel.None))
  )

  it.live("turns bad arguments into INVALID_ARGUMENT with a readable message", () =>
    withServer(freshProbe(), async (c) => {
      const wrongType = await c.call("echo", { text: 5 })
      assert.isFalse(wrongType.ok)
      if (!wrongType.ok) {
        assert.strictEqual(wrongType.error.code, "INVALID_ARGUMENT")
        assert.include(wrongType.error.message, "text")
        assert.include(wrongType.error.message, "Expected string")
      }
      assert.strictEqual(await c.errorCode("echo", { text: "a", times: 9 }), "INVALID_ARGUMENT")
      assert.strictEqual(await c.errorCode("echo", { text: "a", extra: true }), "INVALID_ARGUMENT")
      assert.strictEqual(await c.errorCode("either", {}), "INVALID_ARGUMENT")
      const extra = await c.call("greet", { extra: true })
      assert.deepStrictEqual(extra.ok ? undefined : [extra.error.code, extra.error.message], [
        "INVALID_ARGUMENT",
        "greet: unknown argument extra: this tool takes none"
      ])
    })
  )

  it.live("answers a tool that does not exist with JSON-RPC -32602, not a tool result", () =>
    withServer(freshProbe(), async (c) => {
      const refused = await c.client.callTool({ name: "no_such_tool", arguments: {} }).then(
        () => undefined,
        (error: unknown) => error
      )
      assert.instanceOf(refused, McpError)
      if (refused instanceof McpError) {
        assert.strictEqual(refused.code, -32602)
        assert.include(refused.message, "no_such_tool")
      }
      assert.strictEqual(await c.errorCode("echo", { text: 5 }), "INVALID_ARGUMENT")
    })
  )

  it.live("returns a BridgeError as an isError result with code, message and hint", () =>
    withServer(freshProbe(), async (c) => {
      const r = await c.call("refuse")
      assert.deepStrictEqual(r, {
        ok: false,
        error: {
          code: "RECIPIENT_NOT_FOUND",
          message: 'no session matches label "bob"',
          hint: "Run bridge_list_sessions (or `session-bridge list-sessions --all`) to see who is there."
        }
      })
    })
  )

  it.live("returns a defect as INTERNAL and keeps serving", () =>
    // The defect is logged (to stderr in the real server); keep the test output quiet.
    withServer(freshProbe(), async (c) => {
      const r = await c.call("crash")
      assert.isFalse(r.ok)
      if (!r.ok) {
        assert.strictEqual(r.error.code, "INTERNAL")
        assert.include(r.error.message, "boom")
      }
      assert.deepStrictEqual(await c.ok("echo", { text: "still here" }), { text: "still here" })
    }).pipe(Logger.withMinimumLogLevel(LogLevel.None))
  )

  it.live("builds the handlers' context lazily, once, with the client's info", () => {
    const probe = freshProbe()
    return withServer(probe, async (c) => {
      await c.client.listTools()
      assert.strictEqual(probe.builds, 0, "initialize and tools/list do not build the context")
      assert.strictEqual(await c.errorCode("echo", { text: 1 }), "INVALID_ARGUMENT")
      assert.strictEqual(probe.builds, 0, "a call whose arguments do not decode does not build it either")
      const results = await Promise.all([c.ok("greet"), c.ok("greet"), c.ok("greet")])
      for (const r of results) assert.deepStrictEqual(r, { greeting: "hello claude-code" })
      assert.strictEqual(probe.builds, 1)
      assert.deepStrictEqual(probe.clients, [Option.some({ name: "claude-code", version: "1.0.0" })])
    })
  })

  it.live("does not cache a failed context build", () => {
    const probe = { ...freshProbe(), failNext: true }
    return withServer(probe, async (c) => {
      assert.strictEqual(await c.errorCode("greet"), "IDENTITY_UNRESOLVED")
      assert.deepStrictEqual(await c.ok("greet"), { greeting: "hello claude-code" })
      assert.strictEqual(probe.builds, 2)
    })
  })

  it.live("interrupts a call the client cancels", () =>
    withServer(freshProbe(), async (c) => {
      await cancelsHang(c)
    })
  )

  it.live("runs later calls on the built context: they answer, fail, die and are cancelled as the first did", () => {
    const probe = freshProbe()
    return withServer(probe, async (c) => {
      assert.deepStrictEqual(await c.ok("greet"), { greeting: "hello claude-code" })
      assert.deepStrictEqual(await c.ok("greet"), { greeting: "hello claude-code" })
      assert.deepStrictEqual(await c.ok("echo", { text: "ab", times: 2 }), { text: "abab" })
      assert.strictEqual(await c.errorCode("refuse"), "RECIPIENT_NOT_FOUND")
      assert.strictEqual(await c.errorCode("crash"), "INTERNAL")
      assert.strictEqual(probe.builds, 1)
      await cancelsHang(c)
      assert.deepStrictEqual(await c.ok("greet"), { greeting: "hello claude-code" })
    }).pipe(Logger.withMinimumLogLevel(LogLevel.None))
  })

  it.live("completes `closed` when the client closes the transport", () =>
    Effect.gen(function* () {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
      const server = yield* McpServer.make({
        name: "test",
        version: "0",
        tools: [],
        transport: serverSide,
        context: () => Layer.empty
      })
      const client = yield* Effect.promise(() => connect(clientSide))
      yield* Effect.promise(() => client.close())
      const closed = yield* server.closed.pipe(Effect.timeoutOption(2000))
      assert.isTrue(Option.isSome(closed))
    }).pipe(Effect.scoped)
  )
})
