import { defineHost } from "./Host.js"

/** Gemini CLI (verified with 0.61.0). MCP servers and shell tools get `GEMINI_CLI=1`; hooks get `GEMINI_SESSION_ID`. */
export const geminiCliHost = defineHost({
  id: "gemini-cli",
  aliases: ["gemini"],
  name: "Gemini CLI",
  tier: 2,
  clientNames: ["gemini-cli-mcp-client"],
  envMarkers: [{ name: "GEMINI_CLI", equals: "1" }, { name: "GEMINI_SESSION_ID" }]
})
