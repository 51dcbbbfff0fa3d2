import * as Option from "effect/Option"

/**
 * The command table as plain data, read from the @effect/cli declarations (names, options, arguments and their
 * descriptions): one source for the help pages, the shell completion scripts, did-you-mean and the pre-parse
 * checks. A new command declared with `listed(...)` shows up in all of them without further work.
 */

/** One `--flag` of a command. `value` is undefined for a boolean switch. */
export interface FlagSpec {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly value: "text" | "integer" | "number" | "path" | "choice" | undefined
  readonly choices: ReadonlyArray<string>
  readonly description: string
  /** Shown as "(default: …)"; undefined when there is none worth showing. */
  readonly defaultText: string | undefined
  readonly required: boolean
  readonly repeated: boolean
}

/** One positional argument. */
export interface ArgSpec {
  readonly name: string
  readonly choices: ReadonlyArray<string>
  readonly description: string
  readonly required: boolean
  readonly repeated: boolean
}

export interface CommandSpec {
  /** The words after `session-bridge`, e.g. ["channel", "post"]. */
  readonly path: ReadonlyArray<string>
  readonly name: string
  readonly description: string
  readonly flags: ReadonlyArray<FlagSpec>
  readonly args: ReadonlyArray<ArgSpec>
  readonly subcommands: ReadonlyArray<CommandSpec>
}

// The @effect/cli descriptors are plain tagged objects; they are read structurally here (see ADR-0019).
interface Node {
  readonly _tag: string
  readonly [key: string]: unknown
}
const node = (x: unknown): Node => x as Node

/** The text of a HelpDoc or Span (paragraphs joined by spaces). */
export const docText = (doc: unknown): string => {
  const parts: Array<string> = []
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== "object") return
    const n = x as Record<string, unknown>
    if (typeof n["value"] === "string") parts.push(n["value"])
    else if (n["value"] !== undefined) walk(n["value"])
    if (n["left"] !== undefined) walk(n["left"])
    if (n["right"] !== undefined) walk(n["right"])
  }
  walk(doc)
  return parts.join(" ").replace(/\s+/g, " ").trim()
}

const valueKind = (primitive: Node): FlagSpec["value"] => {
  switch (primitive._tag) {
    case "Bool":
      return undefined
    case "Integer":
      return "integer"
    case "Float":
      return "number"
    case "Path":
      return "path"
    case "Choice":
      return "choice"
    default:
      return "text"
  }
}

const showDefault = (fallback: unknown): string | undefined =>
  Option.isOption(fallback) || fallback === false || (Array.isArray(fallback) && fallback.length === 0)
    ? undefined
    : typeof fallback === "string" || typeof fallback === "number"
      ? String(fallback)
      : undefined

const flagsOf = (options: unknown): Array<FlagSpec> => {
  const out: Array<FlagSpec> = []
  const walk = (x: unknown, wrap: { required: boolean; repeated: boolean; fallback?: unknown }): void => {
    const n = node(x)
    switch (n._tag) {
      case "Single": {
        const primitive = node(n["primitiveType"])
        const kind = valueKind(primitive)
        out.push({
          name: String(n["name"]),
          aliases: (n["aliases"] as ReadonlyArray<string>) ?? [],
          value: kind,
          choices: kind === "choice" ? (primitive["alternatives"] as Array<[string, unknown]>).map(([c]) => c) : [],
          description: docText(n["description"]),
          defaultText: "fallback" in wrap ? showDefault(wrap.fallback) : undefined,
          required: wrap.required && kind !== undefined,
          repeated: wrap.repeated
        })
        return
      }
      case "Both":
      case "OrElse":
        walk(n["left"], wrap)
        walk(n["right"], wrap)
        return
      case "Map":
      case "WithFallback":
      case "WithFallbackConfig":
        walk(n["options"], wrap)
        return
      case "WithDefault":
        walk(n["options"], { required: false, repeated: wrap.repeated, fallback: n["fallback"] })
        return
      case "Variadic":
        walk(n["argumentOption"] ?? n["options"], { required: false, repeated: true })
        return
      case "KeyValueMap":
        walk(n["argumentOption"], { required: wrap.required, repeated: true })
        return
      default:
        return
    }
  }
  walk(options, { required: true, repeated: false })
  return out
}

const argsOf = (args: unknown): Array<ArgSpec> => {
  const out: Array<ArgSpec> = []
  const walk = (x: unknown, wrap: { required: boolean; repeated: boolean }): void => {
    const n = node(x)
    switch (n._tag) {
      case "Single": {
        const primitive = node(n["primitiveType"])
        out.push({
          name: Option.getOrElse(n["pseudoName"] as Option.Option<string>, () => String(n["name"])),
          choices:
            primitive._tag === "Choice" ? (primitive["alternatives"] as Array<[string, unknown]>).map(([c]) => c) : [],
          description: docText(n["description"]),
          required: wrap.required,
          repeated: wrap.repeated
        })
        return
      }
      case "Both":
        walk(n["left"], wrap)
        walk(n["right"], wrap)
        return
      case "Map":
      case "WithFallbackConfig":
        walk(n["args"], wrap)
        return
      case "WithDefault":
        walk(n["args"], { required: false, repeated: wrap.repeated })
        return
      case "Variadic": {
        const min = n["min"] as Option.Option<number>
        walk(n["args"], { required: Option.getOrElse(min, () => 0) > 0, repeated: true })
        return
      }
      default:
        return
    }
  }
  walk(args, { required: true, repeated: false })
  return out
}

const fromDescriptor = (descriptor: unknown, parent: ReadonlyArray<string>, root: boolean): CommandSpec => {
  const n = node(descriptor)
  switch (n._tag) {
    case "Map":
      return fromDescriptor(n["command"], parent, root)
    case "Subcommands": {
      const self = fromDescriptor(n["parent"], parent, root)
      const children = (n["children"] as ReadonlyArray<unknown>).map((c) =>
        fromDescriptor(c, root ? [] : self.path, false)
      )
      return { ...self, subcommands: children }
    }
    default: {
      const name = String(n["name"])
      return {
        path: root ? [] : [...parent, name],
        name,
        description: docText(n["description"]),
        flags: n._tag === "Standard" ? flagsOf(n["options"]) : [],
        args: n._tag === "Standard" ? argsOf(n["args"]) : [],
        subcommands: []
      }
    }
  }
}

/** The spec of the whole tree, from the root command (its path is empty). */
export const specOf = (command: { readonly descriptor: unknown }): CommandSpec =>
  fromDescriptor(command.descriptor, [], true)

/** The command at `words` (as far as they name subcommands), and how many words were used. */
export const lookup = (
  root: CommandSpec,
  words: ReadonlyArray<string>
): { readonly spec: CommandSpec; readonly used: number } => {
  let spec = root
  let used = 0
  for (const word of words) {
    const next = spec.subcommands.find((c) => c.name === word)
    if (next === undefined) break
    spec = next
    used++
  }
  return { spec, used }
}

/** Every command in the tree, depth first (the root excluded). */
export const allCommands = (root: CommandSpec): Array<CommandSpec> =>
  root.subcommands.flatMap((c) => [c, ...allCommands(c)])
