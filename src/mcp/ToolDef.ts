import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { BridgeFailure } from "../domain/Errors.js"

/**
 * What a client may assume about a tool (MCP tool annotations; hints, not guarantees). Every tool states all
 * four: `readOnlyHint` (changes nothing), `destructiveHint` (may overwrite or remove what is stored),
 * `idempotentHint` (a repeat with the same arguments changes nothing more), `openWorldHint` (reaches beyond
 * this machine's bridge).
 */
export interface ToolHints {
  readonly readOnlyHint: boolean
  readonly destructiveHint: boolean
  readonly idempotentHint: boolean
  readonly openWorldHint: boolean
}

/** A tool that only reads the bridge on this machine. */
export const readOnly: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false
}

/**
 * One MCP tool: its fixed name, a title for people, a short description a model can act on, the Schema its
 * arguments decode with and the Schema its result encodes with (the input and output JSON Schemas sent in
 * tools/list are generated from them), its hints, and the handler.
 * `R` is whatever domain services the handler needs; the server provides them from one layer.
 */
export interface ToolDef<I, A, O, OI, R> {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly input: Schema.Schema<A, I>
  /** The result: its encoded side is the JSON object the tool returns. */
  readonly output: Schema.Schema<O, OI>
  /**
   * The handler's value is the output's JSON already, made by code a test holds to the schema (search's hits,
   * `hitView`): the call sends it as it is, without walking it through the schema a second time (ADR-0069).
   */
  readonly encoded?: ([O] extends [OI] ? true : never) | undefined
  readonly hints: ToolHints
  readonly handler: (args: A) => Effect.Effect<O, BridgeFailure, R>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDef<R> = ToolDef<any, any, any, any, R>

export const tool = <I, A, O, OI extends object, R>(def: ToolDef<I, A, O, OI, R>): ToolDef<I, A, O, OI, R> => def

/**
 * The arguments of a tool that takes none. `Schema.Struct({})` alone accepts any value but null and undefined,
 * whatever keys it has; this refuses every key, as the other tools refuse keys they do not name.
 */
export const NoArguments = Schema.Struct({}).pipe(
  Schema.filter((args) => {
    const keys = Object.keys(args)
    return keys.length === 0 || `unknown argument${keys.length > 1 ? "s" : ""} ${keys.join(", ")}: this tool takes none`
  })
)
