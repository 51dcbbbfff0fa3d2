import { defineHost } from "./Host.js"

/**
 * Codex CLI (verified with 0.171.0). Its MCP servers get a whitelisted environment with no marker: only the
 * client name tells them apart. Hooks of npm installs get `CODEX_MANAGED_BY_NPM`; commands its shell tool runs
 * get `CODEX_THREAD_ID` and `CODEX_SANDBOX`.
 */
export const codexHost = defineHost({
  id: "codex",
  aliases: [],
  name: "Codex CLI",
  tier: 1,
  clientNames: ["codex-mcp-client"],
  envMarkers: [{ name: "CODEX_THREAD_ID" }, { name: "CODEX_SANDBOX" }, { name: "CODEX_MANAGED_BY_NPM" }]
})
