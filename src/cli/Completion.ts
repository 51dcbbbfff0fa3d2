import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { HOST_IDS } from "../providers/Provider.js"
import { allCommands, type CommandSpec, type FlagSpec } from "./CommandTree.js"
import { listed } from "./Help.js"
import { printText } from "./Output.js"

/**
 * Shell completion scripts generated from the command table: subcommands at every level, each command's flags,
 * and flag values (provider ids for `--provider`, files for path flags, fixed choices).
 */

/** Values offered after a flag, by flag name, when the declaration has no fixed choices. */
const FLAG_VALUES: Readonly<Record<string, ReadonlyArray<string>>> = { provider: HOST_IDS }

/** The words offered after `flag`: fixed choices, or "<file>" for file completion, or none. */
const valuesOf = (f: FlagSpec): ReadonlyArray<string> =>
  f.choices.length > 0 ? f.choices : (FLAG_VALUES[f.name] ?? (f.value === "path" ? ["<file>"] : []))

const flagWords = (f: FlagSpec) => [`--${f.name}`, ...f.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))]

const nodes = (root: CommandSpec) => [root, ...allCommands(root)]
const key = (spec: CommandSpec) => spec.path.join(" ")

const caseArms = (root: CommandSpec, body: (spec: CommandSpec) => string | undefined) =>
  nodes(root)
    .map((spec) => {
      const out = body(spec)
      return out === undefined ? undefined : `    ${JSON.stringify(key(spec))}) ${out} ;;`
    })
    .filter((x) => x !== undefined)
    .join("\n")

const words = (xs: ReadonlyArray<string>) => `echo ${JSON.stringify(xs.join(" "))}`

/** The bash script (`complete -F _session_bridge session-bridge`). */
export const bashScript = (root: CommandSpec): string => {
  const values = nodes(root)
    .flatMap((spec) =>
      spec.flags.flatMap((f) => {
        const vs = valuesOf(f)
        return vs.length === 0
          ? []
          : flagWords(f).map((w) => `    ${JSON.stringify(`${key(spec)}|${w}`)}) ${words(vs)} ;;`)
      })
    )
    .join("\n")
  return `# session-bridge completion for bash. Install: eval "$(session-bridge completion bash)"
_session_bridge_subs() {
  case "$1" in
${caseArms(root, (s) => (s.subcommands.length > 0 ? words([...s.subcommands.map((c) => c.name), ...(s.path.length === 0 ? ["help"] : [])]) : undefined))}
  esac
}
_session_bridge_flags() {
  case "$1" in
${caseArms(root, (s) => words([...s.flags.flatMap(flagWords), "--help"]))}
  esac
}
_session_bridge_valued() {
  case "$1" in
${caseArms(root, (s) => words(s.flags.filter((f) => f.value !== undefined).flatMap(flagWords)))}
  esac
}
_session_bridge_values() {
  case "$1" in
${values}
  esac
}
_session_bridge_args() {
  case "$1" in
${caseArms(root, (s) => {
  const choices = s.args.flatMap((a) => a.choices)
  return choices.length > 0 ? words(choices) : undefined
})}
  esac
}
_session_bridge() {
  local cur prev node w i skip=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  node=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*) [[ " $(_session_bridge_valued "$node") " == *" $w "* ]] && skip=1 ;;
      *) [[ " $(_session_bridge_subs "$node") " == *" $w "* ]] && node="\${node:+$node }$w" ;;
    esac
  done
  COMPREPLY=()
  if [[ " $(_session_bridge_valued "$node") " == *" $prev "* && $COMP_CWORD -gt 1 ]]; then
    local vals
    vals="$(_session_bridge_values "$node|$prev")"
    if [[ "$vals" == "<file>" ]]; then
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    elif [[ -n "$vals" ]]; then
      mapfile -t COMPREPLY < <(compgen -W "$vals" -- "$cur")
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_session_bridge_flags "$node")" -- "$cur")
    return 0
  fi
  local subs
  subs="$(_session_bridge_subs "$node")"
  if [[ "$node" == "help" || ( -z "$node" && " \${COMP_WORDS[*]:1:COMP_CWORD-1} " == *" help "* ) ]]; then
    subs="$(_session_bridge_subs "")"
  fi
  if [[ -n "$subs" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$(_session_bridge_args "$node")" -- "$cur")
  fi
  return 0
}
complete -o default -F _session_bridge session-bridge
`
}

/** zsh runs the bash function through bashcompinit (one table, one behaviour). */
export const zshScript = (root: CommandSpec): string =>
  `# session-bridge completion for zsh. Install: eval "$(session-bridge completion zsh)" (after compinit)
autoload -U +X bashcompinit && bashcompinit
${bashScript(root).split("\n").slice(1).join("\n")}`

const fishQuote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

/** The fish script: one `complete` line per subcommand, flag and value list. */
export const fishScript = (root: CommandSpec): string => {
  const lines = [
    "# session-bridge completion for fish. Install: session-bridge completion fish > ~/.config/fish/completions/session-bridge.fish",
    "function __session_bridge_path",
    "    set -l node",
    "    set -l skip 0",
    "    for w in (commandline -opc)[2..-1]",
    "        if test $skip = 1; set skip 0; continue; end",
    "        if string match -q -- '-*' $w",
    "            if contains -- $w (__session_bridge_valued (string join ' ' $node)); set skip 1; end",
    "        else if contains -- $w (__session_bridge_subs (string join ' ' $node))",
    "            set node $node $w",
    "        end",
    "    end",
    "    string join ' ' $node",
    "end",
    "function __session_bridge_subs",
    '    switch "$argv[1]"',
    ...nodes(root)
      .filter((s) => s.subcommands.length > 0)
      .flatMap((s) => [
        `        case ${fishQuote(key(s))}`,
        `            printf '%s\\n' ${s.subcommands.map((c) => c.name).join(" ")}`
      ]),
    "    end",
    "end",
    "function __session_bridge_valued",
    '    switch "$argv[1]"',
    ...nodes(root).flatMap((s) => {
      const valued = s.flags.filter((f) => f.value !== undefined).flatMap(flagWords)
      return valued.length === 0
        ? []
        : [`        case ${fishQuote(key(s))}`, `            printf '%s\\n' -- ${valued.join(" ")}`]
    }),
    "    end",
    "end",
    'function __session_bridge_is; test (__session_bridge_path) = "$argv[1]"; end',
    "complete -c session-bridge -f"
  ]
  for (const spec of nodes(root)) {
    const cond = `-n ${fishQuote(`__session_bridge_is ${fishQuote(key(spec))}`)}`
    for (const c of spec.subcommands)
      lines.push(`complete -c session-bridge ${cond} -a ${fishQuote(c.name)} -d ${fishQuote(c.description)}`)
    for (const f of spec.flags) {
      const short = f.aliases
        .filter((a) => a.length === 1)
        .map((a) => ` -s ${a}`)
        .join("")
      const vs = valuesOf(f)
      const value =
        f.value === undefined
          ? ""
          : vs[0] === "<file>"
            ? " -r -F"
            : vs.length > 0
              ? ` -x -a ${fishQuote(vs.join(" "))}`
              : " -x"
      lines.push(`complete -c session-bridge ${cond} -l ${f.name}${short}${value} -d ${fishQuote(f.description)}`)
    }
    const choices = spec.args.flatMap((a) => a.choices)
    if (choices.length > 0) lines.push(`complete -c session-bridge ${cond} -a ${fishQuote(choices.join(" "))}`)
  }
  return lines.join("\n")
}

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const

/** `completion bash|zsh|fish`; the table is read lazily, since this command is part of it. */
export const completionCommands = (root: () => CommandSpec) =>
  [
    listed(
      "maintenance",
      "Print a shell completion script: completion bash|zsh|fish",
      Command.make(
        "completion",
        {
          shell: Args.choice(
            [
              ["bash", "bash"],
              ["zsh", "zsh"],
              ["fish", "fish"]
            ] as const,
            { name: "shell" }
          ).pipe(Args.withDescription("The shell: bash, zsh or fish"))
        },
        ({ shell }) => Effect.suspend(() => printText(SCRIPTS[shell](root())))
      )
    )
  ] as const
