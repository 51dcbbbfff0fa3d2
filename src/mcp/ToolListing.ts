import { inputJsonSchema, type JsonObject, outputJsonSchema } from "./JsonSchemas.js"
import type { AnyToolDef, ToolHints } from "./ToolDef.js"

/** One entry of tools/list. */
export interface ListedTool {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly inputSchema: JsonObject
  readonly outputSchema: JsonObject
  /** The hints, and the title again for clients of the 2025-03-26 revision, which read it only here. */
  readonly annotations: ToolHints & { readonly title: string }
}

/** A tool as tools/list shows it; both JSON Schemas are generated from the tool's own Schemas. */
export const listedTool = <R>(def: AnyToolDef<R>): ListedTool => ({
  name: def.name,
  title: def.title,
  description: def.description,
  inputSchema: inputJsonSchema(def.input),
  outputSchema: outputJsonSchema(def.output),
  annotations: { title: def.title, ...def.hints }
})
