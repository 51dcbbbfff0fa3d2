import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"

export type JsonObject = { [key: string]: unknown }

const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** Descriptions effect/Schema writes for its built-in filters; the constraint keywords already say the same. */
const GENERATED_DESCRIPTION =
  /^(an? (integer|number|string|array|non-empty|positive|negative|non-negative|non-positive|finite|valid)\b|a (string|number|bigint) (at|between|greater|less|matching))/

/** What a cleaned schema keeps beyond types and constraints. */
interface Keep {
  readonly descriptions: boolean
  /** `additionalProperties: false`: kept on inputs, which refuse unknown arguments. */
  readonly closedObjects: boolean
}
const KEEP_ALL: Keep = { descriptions: true, closedObjects: true }

/** Inlines `$ref`s into `$defs` and drops what a model does not need: `$schema`, `$id`, titles, generated descriptions, empty `required`. */
const clean = (node: unknown, defs: JsonObject, depth: number, keep: Keep = KEEP_ALL): unknown => {
  if (Array.isArray(node)) return node.map((n) => clean(n, defs, depth, keep))
  if (!isObject(node)) return node
  let source: JsonObject = node
  const ref = node["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/$defs/") && depth < 32) {
    const target = defs[decodeURIComponent(ref.slice("#/$defs/".length))]
    const { $ref: _ref, ...siblings } = node
    source = { ...(isObject(target) ? target : {}), ...siblings }
  }
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === "$schema" || key === "$defs" || key === "$id" || key === "$ref" || key === "title") continue
    if (key === "description" && typeof value === "string" && (!keep.descriptions || GENERATED_DESCRIPTION.test(value)))
      continue
    if (key === "additionalProperties" && value === false && !keep.closedObjects) continue
    if (key === "required" && Array.isArray(value) && value.length === 0) continue
    // Property names are data, not schema keywords: keep every one, clean each schema.
    if (key === "properties" && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, defs, depth + 1, keep)]))
      continue
    }
    out[key] = clean(value, defs, depth + 1, keep)
  }
  return out
}

const isEmptyStruct = (s: JsonObject): boolean => {
  const anyOf = s["anyOf"]
  return (
    Array.isArray(anyOf) &&
    anyOf.length === 2 &&
    anyOf.every((m) => isObject(m) && Object.keys(m).length === 1 && (m["type"] === "object" || m["type"] === "array"))
  )
}

/**
 * A union of objects as one object (MCP wants `type: "object"` at the top, and several model APIs refuse a
 * top-level `anyOf`): every member's properties, required only what every member requires. The handler still
 * decodes with the exact union, so "exactly one of" is enforced there.
 */
const flattenUnion = (members: ReadonlyArray<JsonObject>, description: unknown): JsonObject => {
  const properties: JsonObject = {}
  let required: Array<string> | undefined
  for (const m of members) {
    Object.assign(properties, isObject(m["properties"]) ? m["properties"] : {})
    const req = Array.isArray(m["required"]) ? (m["required"] as Array<string>) : []
    required = required === undefined ? req : required.filter((r) => req.includes(r))
  }
  const out: JsonObject = { type: "object" }
  if (typeof description === "string") out["description"] = description
  out["properties"] = properties
  if (required !== undefined && required.length > 0) out["required"] = required
  out["additionalProperties"] = false
  return out
}

/** The JSON Schema sent in tools/list for a tool's input, generated from the Schema its handler decodes with. */
export const inputJsonSchema = <A, I, R>(schema: Schema.Schema<A, I, R>): JsonObject => {
  const raw: JsonObject = { ...JSONSchema.make(schema) }
  const defs = isObject(raw["$defs"]) ? raw["$defs"] : {}
  if (isEmptyStruct(raw)) return { type: "object", properties: {}, additionalProperties: false }
  const cleaned = clean(raw, defs, 0)
  if (!isObject(cleaned)) return { type: "object" }
  const anyOf = cleaned["anyOf"]
  if (
    cleaned["type"] !== "object" &&
    Array.isArray(anyOf) &&
    anyOf.every((m) => isObject(m) && m["type"] === "object")
  ) {
    return flattenUnion(anyOf as Array<JsonObject>, cleaned["description"])
  }
  return cleaned["type"] === "object" ? cleaned : { type: "object", ...cleaned }
}

/**
 * The JSON Schema sent in tools/list for a tool's result, generated from the encoded side of the Schema the
 * result encodes with. Compact: no descriptions, and objects left open (a field added later does not break a
 * client that cached the list); `structuredContent` is always an object, as MCP asks.
 */
export const outputJsonSchema = <A, I, R>(schema: Schema.Schema<A, I, R>): JsonObject => {
  const raw: JsonObject = { ...JSONSchema.make(schema) }
  const defs = isObject(raw["$defs"]) ? raw["$defs"] : {}
  const cleaned = clean(raw, defs, 0, { descriptions: false, closedObjects: false })
  return isObject(cleaned) && cleaned["type"] === "object" ? cleaned : { type: "object" }
}
