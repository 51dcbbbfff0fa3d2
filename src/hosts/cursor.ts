import { defineHost } from "./Host.js"

/**
 * Cursor (documented, not runnable here). IDE-spawned processes and MCP servers get `CURSOR_TRACE_ID`, agent
 * terminals `CURSOR_AGENT`, hooks `CURSOR_VERSION`. Its MCP client name is not known, so only env markers tell.
 */
export const cursorHost = defineHost({
  id: "cursor",
  aliases: [],
  name: "Cursor",
  tier: 2,
  clientNames: [],
  envMarkers: [{ name: "CURSOR_TRACE_ID" }, { name: "CURSOR_AGENT" }, { name: "CURSOR_VERSION" }]
})
