import { defineHost } from "./Host.js"

/**
 * Claude Code (verified with 2.1.197). MCP servers and hooks both get `CLAUDECODE=1`, `CLAUDE_CODE_SESSION_ID`
 * and `AI_AGENT=claude-code_<version>_harness`.
 */
export const claudeCodeHost = defineHost({
  id: "claude-code",
  aliases: ["claude"],
  name: "Claude Code",
  tier: 1,
  clientNames: ["claude-code"],
  envMarkers: [
    { name: "CLAUDECODE", equals: "1" },
    { name: "CLAUDE_CODE_SESSION_ID" },
    { name: "AI_AGENT", prefix: "claude-code" }
  ]
})
