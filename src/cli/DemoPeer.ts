import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type BridgeFailure, ErrorCode, Internal } from "../domain/Errors.js"
import { HostEnv } from "../services/HostEnv.js"
import { Ids } from "../services/Ids.js"

/*
 * The sessions of `demo` and `demo --cloud`: each a real `session-bridge mcp` process on a given home, driven by
 * the MCP SDK client as a host CLI would drive it.
 */

/** One demo session: a real `session-bridge mcp` process driven by the MCP SDK client. */
export interface Peer {
  readonly label: string
  readonly sessionId: string
  readonly call: (tool: string, args?: Record<string, unknown>) => Effect.Effect<any, BridgeFailure>
  /** A call that must be refused: the error code it was refused with (fails when it succeeds). */
  readonly refusal: (tool: string, args?: Record<string, unknown>) => Effect.Effect<string, BridgeFailure>
}

const isErrorCode = (u: unknown): u is ErrorCode => ErrorCode.literals.some((c) => c === u)

export const failed = (what: string) => (cause: unknown) =>
  new Internal({ message: `demo: ${what}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** Spawns `session-bridge mcp` on `home` as `label` and connects a client; closed (process ended) with the scope. */
export const spawnPeer = (home: string, label: string) =>
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
    const refusal = (tool: string, args: Record<string, unknown> = {}) =>
      call(tool, args).pipe(
        Effect.matchEffect({
          onFailure: (e) => {
            const code = ErrorCode.literals.find((c) => e.message.includes(`${tool}: ${c}: `))
            return code === undefined ? Effect.fail(e) : Effect.succeed(code as string)
          },
          onSuccess: () => Effect.fail(new Internal({ message: `demo: ${label} ${tool} was expected to be refused` }))
        })
      )
    return { label, sessionId, call, refusal } satisfies Peer
  })
