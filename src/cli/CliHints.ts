import { type BridgeError, bridgeError } from "../domain/Errors.js"

/** A word as it can be pasted into a POSIX shell: bare when safe, else single-quoted ('#release'). */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`

/** The CLI command that does at a terminal what an MCP tool does for a model. */
const TOOL_TO_COMMAND: ReadonlyArray<readonly [RegExp, string]> = [
  [/bridge_list_sessions(\s*\(includeOffline: true\))?/g, "`session-bridge list-sessions --all`"],
  [/bridge_list_inbox/g, "`session-bridge tail-inbox --all`"],
  [/bridge_read_message/g, "`session-bridge read <id>`"],
  [/bridge_search/g, "`session-bridge search`"],
  [/bridge_channel_history/g, "`session-bridge channel history <#channel>`"],
  [/bridge_post_artifact/g, "`--artifact <path>`"],
  [/bridge_mark_read/g, "`session-bridge mark-read`"],
  [/bridge_send_message/g, "`session-bridge send-message`"]
]

/**
 * The hint a terminal user should see for a domain error: the domain's hints name MCP tools, so they are rewritten
 * to name the CLI commands that help, with any channel name quoted for the shell.
 */
export const cliHint = (e: BridgeError): BridgeError => {
  const channel = /#[a-z0-9._-]+/i.exec(e.message)?.[0] ?? "#channel"
  switch (e.code) {
    case "NOT_A_MEMBER":
      return bridgeError(
        e.code,
        e.message,
        `Join it first: \`session-bridge channel join ${shellQuote(channel)}\` (with --as to join as another session).`
      )
    case "MESSAGE_NOT_FOUND":
      return bridgeError(
        e.code,
        e.message,
        "Use an id from `session-bridge tail-inbox --all`, `session-bridge search` or `session-bridge channel history <#channel>`."
      )
    default: {
      if (e.hint === undefined || !e.hint.includes("bridge_")) return e
      const hint = TOOL_TO_COMMAND.reduce((h, [re, cmd]) => h.replace(re, cmd), e.hint)
      return bridgeError(e.code, e.message, hint.replace(/\(or `session-bridge list-sessions --all`\) /, ""))
    }
  }
}
