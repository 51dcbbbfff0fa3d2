import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { BridgeError } from "../domain/Errors.js"

/**
 * One MCP tool: its fixed name, a short description a model can act on, the Schema its arguments
 * decode with (the JSON Schema sent in tools/list is generated from it), and the handler.
 * `R` is whatever domain services the handler needs; the server provides them from one layer.
 */
export interface ToolDef<I, A, R> {
  readonly name: string
  readonly description: string
  readonly input: Schema.Schema<A, I>
  readonly handler: (args: A) => Effect.Effect<unknown, BridgeError, R>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDef<R> = ToolDef<any, any, R>

export const tool = <I, A, R>(def: ToolDef<I, A, R>): ToolDef<I, A, R> => def
