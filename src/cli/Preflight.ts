import * as CliConfig from "@effect/cli/CliConfig"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import { commandHelp, suggest } from "./CommandHelp.js"
import { type CommandSpec, docText, lookup } from "./CommandTree.js"
import { shellQuote } from "./CliHints.js"
import { type UsageError, usageError } from "./Runtime.js"

/**
 * What happens to a command line before @effect/cli runs it: help is rendered from the command table
 * (`--help`, `-h`, `help <command>`), unknown commands get a did-you-mean, the framework's own flags
 * (`--wizard`, `--completions`, `--log-level`) are refused, and parse errors become usage errors in the
 * `error CODE: message` + hint shape instead of the framework's coloured output.
 */
export type Preflight =
  | { readonly _tag: "Run" }
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Usage"; readonly error: UsageError }

const FRAMEWORK_FLAGS = ["--wizard", "--completions", "--log-level"]

const unknownCommand = (parent: CommandSpec, word: string): Preflight => {
  const where = ["session-bridge", ...parent.path].join(" ")
  const near = suggest(
    word,
    parent.subcommands.map((c) => c.name)
  ).slice(0, 3)
  const did = near.length > 0 ? `Did you mean ${near.map((n) => `\`${where} ${n}\``).join(" or ")}? ` : ""
  return {
    _tag: "Usage",
    error: usageError(
      `unknown command ${JSON.stringify(word)} for "${where}"`,
      `${did}Run \`${where} --help\` for the list.`
    )
  }
}

/** Finds the command the leading words name; an unknown word where a subcommand is expected is an error. */
const resolve = (
  root: CommandSpec,
  words: ReadonlyArray<string>,
  strict: boolean
): { readonly spec: CommandSpec } | Preflight => {
  const { spec, used } = lookup(root, words)
  const next = words[used]
  if (next !== undefined && (spec.subcommands.length > 0 || strict)) return unknownCommand(spec, next)
  return { spec }
}

const leadingWords = (args: ReadonlyArray<string>) => {
  const end = args.findIndex((a) => a.startsWith("-"))
  return end < 0 ? args : args.slice(0, end)
}

/** Decides on a command line (the words after the program name, `--verbose` already removed). */
export const preflight = (root: CommandSpec, rootHelp: () => string, rest: ReadonlyArray<string>): Preflight => {
  const end = rest.indexOf("--")
  const head = end < 0 ? rest : rest.slice(0, end)
  const framework = head.find((a) => FRAMEWORK_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)))
  if (head[0] === "help") {
    const words = leadingWords(head.slice(1))
    if (words.length === 0) return { _tag: "Help", text: rootHelp() }
    const found = resolve(root, words, true)
    return "spec" in found ? { _tag: "Help", text: commandHelp(found.spec) } : found
  }
  if (head.includes("--help") || head.includes("-h")) {
    const words = leadingWords(head)
    if (words.length === 0) return { _tag: "Help", text: rootHelp() }
    const found = resolve(root, words, false)
    return "spec" in found ? { _tag: "Help", text: commandHelp(found.spec) } : found
  }
  if (framework !== undefined) {
    const words = leadingWords(head)
    const { spec } = lookup(root, words)
    return {
      _tag: "Usage",
      error: usageError(
        `unknown flag ${framework.split("=")[0]}`,
        framework.startsWith("--completions")
          ? "Shell completion scripts come from `session-bridge completion bash|zsh|fish`."
          : `Run \`${["session-bridge", ...spec.path].join(" ")} --help\` for the flags it takes.`
      )
    }
  }
  const words = leadingWords(head)
  if (words.length === 0) return { _tag: "Run" }
  const found = resolve(root, words, false)
  if (!("spec" in found)) return found
  // A command group alone (`session-bridge channel`) shows its help, as gh does.
  if (found.spec.subcommands.length > 0 && rest.length === found.spec.path.length)
    return { _tag: "Help", text: commandHelp(found.spec) }
  return { _tag: "Run" }
}

/**
 * Parses the line with @effect/cli's own parser, silently: a failure becomes a UsageError naming the command's
 * help, so every usage error reads the same and exits 2.
 */
export const validate = (descriptor: Descriptor.Command<unknown>, root: CommandSpec, rest: ReadonlyArray<string>) => {
  const where = ["session-bridge", ...lookup(root, leadingWords(rest)).spec.path].join(" ")
  const hint = `Run \`${where} --help\` for usage.`
  return Descriptor.parse(descriptor, ["session-bridge", ...rest], CliConfig.defaultConfig).pipe(
    Effect.mapError((e) => (ValidationError.isValidationError(e) ? usageError(describe(e), hint) : e)),
    Effect.flatMap((directive) =>
      directive._tag === "UserDefined" && directive.leftover.length > 0
        ? Effect.fail(usageError(leftover(directive.leftover[0] ?? ""), hint))
        : Effect.void
    )
  )
}

const leftover = (word: string) =>
  word.startsWith("-")
    ? `unknown flag ${shellQuote(word.split("=")[0] ?? word)}`
    : `unexpected argument ${shellQuote(word)}`

const describe = (e: ValidationError.ValidationError): string => {
  const text = docText(e.error)
  if (text === "") return "the command line could not be parsed"
  const plain = text.replace(/^Expected to find option: /, "missing option ").replace(/\ba integer\b/, "an integer")
  return plain.charAt(0).toLowerCase() + plain.slice(1)
}
